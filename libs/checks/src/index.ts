export type {
  BudgetControl,
  CheckContext,
  CheckErrorInfo,
  ExpectedFacts,
  FileCheck,
  FileRef,
  InitContext,
  Logger,
  ResultEnvelope,
  ToolInfo,
} from './types.js';
export { CheckError, ErrorCode, checkErrorFromFsError, isErrnoException, toCheckErrorInfo } from './errors.js';
export type { KnownErrorCode } from './errors.js';
export { CheckEngine, defaultTimeoutMs } from './engine/CheckEngine.js';
export type { CheckEngineOptions, EngineProgress } from './engine/CheckEngine.js';
export { mapOrdered, mapOrderedBatches } from './engine/map-ordered.js';
export { hasErrors } from './engine/report.js';
export type { FileReport, ListingProblem, MissingFile, SourceItem } from './engine/report.js';
export { LOCAL_OPEN_FLAGS, checkOpened, checkUnchanged, identityOf, kindOf, truncatedError } from './io/local-file.js';
export type { AnyStats, FileIdentity, ListedFacts } from './io/local-file.js';
export { CHECK_CATALOG, CLAMD_DEFAULT_MAX_FILE_SIZE, DEFAULT_CONCURRENCY, defaultCheckNames } from './catalog.js';
export type { BuiltInCheckName, CheckDescription } from './catalog.js';
export { BUILT_IN_CHECKS, createChecks } from './registry.js';
export type { BuiltInCheckOptions, CheckDefinition } from './registry.js';
export {
  CHECKSUM_ALGORITHMS,
  DEFAULT_ALGORITHMS,
  DIGEST_HEX_LENGTH,
  isChecksumAlgorithm,
  parseAlgorithmList,
} from './checksum/algorithms.js';
export type { ChecksumAlgorithm } from './checksum/algorithms.js';
export { CHECKSUM_CHECK_VERSION, checksumCheck } from './checksum/checksumCheck.js';
export type { ChecksumCheckOptions, ChecksumResult } from './checksum/checksumCheck.js';
export { Policy, PolicyError, isAtLeast } from './policy/Policy.js';
export type { Judgement, PolicyFile, Reason, Verdict } from './policy/Policy.js';
export { NEVER_PASS, REASON_CODES } from './policy/reasons.js';
export { BUILT_IN_RULES } from './policy/rules.js';
export type { Finding, Rule, RuleData } from './policy/rules.js';
export type { FormatResult, FormatResultMatch } from './format/result.js';
export type { FlagsResult } from './flags/result.js';
export { detectExecutable } from './flags/executable.js';
export { FLAGS_CHECK_VERSION, flagsCheck } from './flags/flagsCheck.js';
export type { FlagsCheckOptions } from './flags/flagsCheck.js';
export { inspectFile } from './flags/inspect.js';
export type { ExecutableKind } from './flags/executable.js';
export { ExpectationIndex, ManifestError, chooseManifestBase, parseManifest } from './expectations/index.js';
export type {
  ExpectationIndexOptions,
  ManifestEntry,
  ManifestFormat,
  ParseManifestOptions,
  ParsedManifest,
  UnmatchedEntry,
} from './expectations/index.js';
export {
  DEFAULT_KEEP_PREVIOUS,
  DEFAULT_MAX_SIGNATURE_BYTES,
  DEFAULT_PRONOM_URL,
  DEFAULT_UPDATE_TIMEOUT_MS,
  HOW_TO_GET_SIGNATURES,
  PRONOM_BINARY_URL_ENV,
  PRONOM_CONTAINER_URL_ENV,
  PRONOM_URL_ENV,
  SIGNATURES_DIR_ENV,
  SignatureDownloadError,
  SignatureUpdateError,
  inspectSignatureDir,
  resolveSignatureDir,
  updateSignatures,
} from './format/store/index.js';
export type {
  BinarySignatureFile,
  ContainerSignatureFile,
  ResolvedSignatureDir,
  SignatureDirInspection,
  SignatureDirStatus,
  SignatureFileUpdate,
  SignatureKind,
  SignatureUpdateEvent,
  SignatureUpdateFailureCode,
  UpdateSignaturesOptions,
  UpdateSignaturesResult,
} from './format/store/index.js';
export { FORMAT_CHECK_VERSION, formatCheck } from './format/formatCheck.js';
export type { FormatCheckOptions } from './format/formatCheck.js';
export {
  DEFAULT_WINDOW_BYTES,
  PronomSignatures,
  compileSignatures,
  compiledCacheFile,
  defaultCacheDir,
  findSignatureFiles,
  identify,
  identifyContainer,
  loadSignatures,
  readWindow,
  resolveIdentification,
} from './format/signatures/index.js';
export type {
  ByteWindow,
  FormatInfo,
  FormatMatch as PronomMatch,
  Identification,
  IdentificationMethod,
  IdentifyOptions,
  SignatureFiles,
  SignatureVersions,
} from './format/signatures/index.js';
export { ContainerError, openCfb, openZip } from './format/containers/index.js';
export type { ContainerType, ContainerView, RandomAccess } from './format/containers/index.js';
export { ANTIVIRUS_CHECK_VERSION, antivirusCheck } from './antivirus/antivirusCheck.js';
export type { AntivirusCheckOptions } from './antivirus/antivirusCheck.js';
export type { AntivirusResult } from './antivirus/result.js';
export type { EngineInfo, ScanEngine, ScanOptions, ScanVerdict } from './antivirus/scan-engine.js';
export { AntivirusErrorCode } from './antivirus/codes.js';
export {
  CLAMD_HOST_ENV,
  CLAMD_SOCKET_ENV,
  DEBIAN_CLAMD_SOCKETS,
  DEFAULT_CLAMD_PORT,
  formatClamdAddress,
  parseClamdAddress,
  resolveClamdAddress,
} from './antivirus/clamd/address.js';
export type { ClamdAddress, ResolvedClamdAddress } from './antivirus/clamd/address.js';
export { ClamdEngine } from './antivirus/clamd/ClamdEngine.js';
export type { ClamdEngineOptions, ClamdScanMode } from './antivirus/clamd/ClamdEngine.js';
export { probeClamd } from './antivirus/clamd/probe.js';
export { DEBIAN_CLAMD_CONF, parseClamdSize, readClamdConf } from './antivirus/clamd/clamd-conf.js';
export type { ClamdConf } from './antivirus/clamd/clamd-conf.js';
export type { ClamdVersion } from './antivirus/clamd/replies.js';
export { LocalFilePool } from './workers/LocalFilePool.js';
export type { RunOptions } from './workers/LocalFilePool.js';
export { compiledScript } from './workers/compiled-script.js';
export { localFileJob } from './workers/protocol.js';
export type { LocalFileJob, TaskSpec } from './workers/protocol.js';
export type { LocalFileTask, TaskContext } from './workers/task.js';
export type { LocalFile } from './workers/local-file.js';
