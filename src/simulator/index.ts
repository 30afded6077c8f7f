// Public face of the local ZATCA simulator: startSimulator and the types a test or the CLI needs;
// no product code imports this (the dependency points from the simulator to the engine only).
export { startSimulator, type RunningSimulator, type SimulatorControl, type SimulatorOptions } from './server.js';
export { SimulatorClock, systemClock, type Clock } from './clock.js';
export { defaultModes, SIM_ENVIRONMENTS, CLIENT_ENV_OF, type EnvironmentMode, type SimEnvironmentId } from './config.js';
export { ControlError, EnvironmentControl, VAT_GROUP_EVENTS, type EgsView, type VatGroupEvent } from './control.js';
export type { Checks, CsrFacts, Authority, ValidationContext, StampContext } from './checks.js';
export { engineChecks } from './engine-checks.js';
export type { FaultRates, QueuedFault } from './faults.js';
export type { SubmissionRecord, VatStatus } from './state.js';
