export type {
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
export { mapOrdered } from './engine/map-ordered.js';
export { hasErrors } from './engine/report.js';
export type { FileReport, ListingProblem, MissingFile, SourceItem } from './engine/report.js';
export { LOCAL_OPEN_FLAGS, checkOpened, checkUnchanged, identityOf, kindOf, truncatedError } from './io/local-file.js';
export type { FileIdentity } from './io/local-file.js';
