// File input and output for the CLI: reads with clear errors naming the file, writes atomically
// (temp file + rename) so a failed command never leaves a partial output file behind.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FawtaraError } from '../errors.js';

export function readInput(path: string, what = 'file'): Buffer {
  if (!existsSync(path)) {
    throw new FawtaraError('FILE_NOT_FOUND', `${what} ${path} does not exist; check the path`, {
      field: path,
      messageAr: `الملف ${path} غير موجود؛ تحقق من المسار`,
    });
  }
  if (statSync(path).isDirectory()) {
    throw new FawtaraError('FILE_UNREADABLE', `${what} ${path} is a folder; give a file`, { field: path, messageAr: `${path} مجلد وليس ملفاً` });
  }
  try {
    return readFileSync(path);
  } catch (error) {
    throw new FawtaraError('FILE_UNREADABLE', `${what} ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      field: path,
      messageAr: `تعذرت قراءة الملف ${path}`,
      cause: error,
    });
  }
}

export function readText(path: string, what = 'file'): string {
  return readInput(path, what).toString('utf8');
}

/** Write `data` to `path` atomically; `mode` 0o600 for private keys. */
export function writeOutput(path: string, data: string | Buffer, mode?: number): void {
  const dir = dirname(path);
  try {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
      renameSync(tmp, path);
    } catch (error) {
      if (existsSync(tmp)) unlinkSync(tmp);
      throw error;
    }
  } catch (error) {
    throw new FawtaraError('FILE_UNREADABLE', `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      field: path,
      messageAr: `تعذرت كتابة الملف ${path}`,
      cause: error,
    });
  }
}

export function parseJsonFile(path: string, what = 'JSON file'): unknown {
  const text = readText(path, what).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FawtaraError('INVALID_INPUT', `${path} is not valid JSON: ${(error as Error).message}`, {
      field: path,
      messageAr: `الملف ${path} ليس JSON صالحاً`,
      cause: error,
    });
  }
}
