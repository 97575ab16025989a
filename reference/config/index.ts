/** The PTQ config (`ptq_config.json`, Magik PTQ user guide §3, §8) and the calibration folder. */
export * from './ptq-config-types.js';
export { loadPtqConfig, parsePtqConfig } from './load-ptq-config.js';
export { listCalibrationImages, sniffImage, type CalibrationImages, type SkippedFile, type ImageKind } from './calibration-images.js';
export { JsonSyntaxError, parseJsonWithPositions, type JsonNode, type SourcePos } from './json-source.js';
export { TOP_KEYS, DEBUG_KEYS, BIAS_CORR_KEYS, REQUIRED_KEYS, parseNumberList } from './validate-ptq-config.js';
