import { setLogSinks } from '../src/main/log/logger.ts';

// In-process tests assert on behaviour, not on log lines: keep the test output readable.
setLogSinks([]);
