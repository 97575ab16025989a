/**
 * Public API of the dump readers/writers: the one module that touches dump files
 * (DESIGN.md convention 2). Later stages import from here.
 */
export type { DumpEntry, DumpSet, EntryProblem, FolderKind, IgnoredFile, Layout, OpenOptions } from './types.js';
export type { Manifest, ManifestTensor } from './manifest-types.js';
export { MANIFEST_FORMAT, MANIFEST_VERSION } from './manifest-types.js';
export { openDumpSet, resolveShape, applyShapes, detectKind } from './open.js';
export { md5File, ChunkReader, readEntryBytes, readEntryValues, MD5_CHUNK } from './read.js';
export { parseDumpLog, readDumpLog, formatDumpLogLine, type DumpLogLineOptions, type LogRecord, type ParsedLog, type MalformedLine } from './vendor-log.js';
export { openVendorPc, vendorDumpDir, isVendorInputName, DUMP_DIR_NAME } from './vendor-pc.js';
export { openBoard, isBoardOutputName, boardAuxReason, BOARD_AUX_SUFFIXES } from './board.js';
export {
  openDebugFolder,
  openDebugSub,
  readDebugFolder,
  readNodeInfo,
  parseNodeInfo,
  DEBUG_SUBS,
  NODE_INFO_FILE,
  type DebugFolder,
  type DebugSub,
  type NodeInfo,
} from './debug-folder.js';
export { readManifest, validateManifest, openManifestFolder, isPlainFileName, MANIFEST_FILE } from './manifest.js';
export { DumpFolderWriter, writeManifest, type TensorMeta, type AddOptions, type DumpFolderWriterOptions, type DumpLogOptions, type RenamedTensor } from './dump-folder-writer.js';
export { StemAllocator, uniqueStems, baseStem, stemOfFile, RESERVED_STEMS } from './stem-allocator.js';
export { parseNpyHeader, readNpyHeader, dtypeFromDescr, openNpyFolder, openNpyFile, npyEntry, NpyFormatError, type NpyHeader } from './npy.js';
export { loadShapesMap, parseShapesMap, validateShapesMap, ShapeLookup } from './shapes-map.js';
export { fitShape, countOf, layoutFor, VENDOR_DTYPES } from './shape-fit.js';
export { naturalCompare, naturalSort } from './natural-sort.js';
export { openPlain } from './plain.js';
