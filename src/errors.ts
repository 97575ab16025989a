/**
 * Typed errors. A {@link UserError} is bad usage or bad input: the CLI prints its one-line
 * message and hint and exits with code 2 (no stack unless `--verbose`). Anything else that
 * escapes is an internal error (exit 3).
 */

/** Stable error codes, grouped by the stage that raises them. */
export type ErrorCode =
  | 'USAGE'
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'FOLDER_EMPTY'
  | 'FOLDER_NOT_EMPTY'
  | 'OUTPUT_UNWRITABLE'
  | 'DUMP_FORMAT'
  | 'LOG_FORMAT'
  | 'MANIFEST_FORMAT'
  | 'NPY_FORMAT'
  | 'SHAPES_FORMAT'
  | 'SHAPE_MISMATCH'
  | 'INPUT_MISMATCH'
  | 'ONNX_FORMAT'
  | 'ONNX_UNSUPPORTED'
  | 'IMAGE_FORMAT'
  | 'HEADER_FORMAT'
  | 'CONFIG_FORMAT'
  | 'PARAMS_FORMAT'
  | 'REPORT_FORMAT'
  | 'LAYER_NOT_FOUND'
  | 'OUTPUT_EXISTS'
  | 'UNSUPPORTED_OP'
  | 'EXEC_FAILED'
  | 'INTERRUPTED';

export class UserError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.hint = hint;
  }
}

/** True for errors whose message is meant for the user (exit code 2). */
export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** Exit codes shared by every command. */
export const EXIT = { OK: 0, DIVERGED: 1, BAD_INPUT: 2, INTERNAL: 3 } as const;

/** Node's fs error codes mapped to user errors naming the path. */
export function fsError(err: unknown, path: string, action: string): UserError | unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new UserError('FILE_NOT_FOUND', `${path}: not found (while trying to ${action})`, 'check the path');
    case 'EACCES':
    case 'EPERM':
      return /^(write|create)/.test(action)
        ? new UserError('OUTPUT_UNWRITABLE', `${path}: permission denied (while trying to ${action})`, 'choose a writable output location with --out')
        : new UserError('FILE_UNREADABLE', `${path}: permission denied (while trying to ${action})`, 'check the file permissions');
    case 'EISDIR':
      return new UserError('USAGE', `${path}: is a folder, expected a file (while trying to ${action})`, 'give a file path, not a folder');
    case 'ENOTDIR':
      return new UserError('USAGE', `${path}: a part of this path is a file, not a folder (while trying to ${action})`, 'check the path; choose another location');
    case 'EROFS':
      return new UserError('OUTPUT_UNWRITABLE', `${path}: read-only file system (while trying to ${action})`, 'choose another output location with --out');
    case 'ENAMETOOLONG':
      return new UserError('USAGE', `${path.length > 160 ? `${path.slice(0, 80)}...${path.slice(-60)}` : path}: file name too long (while trying to ${action})`, 'use a shorter path');
    case 'ENOSPC':
      return new UserError('OUTPUT_UNWRITABLE', `${path}: no space left on device (while trying to ${action})`, 'free some space or choose another output location');
    default:
      return err;
  }
}
