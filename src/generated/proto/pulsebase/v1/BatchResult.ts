// Original file: proto/pulsebase/v1/heart_rate.proto

import type { Verdict as _pulsebase_v1_Verdict, Verdict__Output as _pulsebase_v1_Verdict__Output } from '../../pulsebase/v1/Verdict.js';
import type { Alert as _pulsebase_v1_Alert, Alert__Output as _pulsebase_v1_Alert__Output } from '../../pulsebase/v1/Alert.js';

export interface BatchResult {
  'stored'?: (number);
  'rejected'?: (number);
  'verdicts'?: (_pulsebase_v1_Verdict)[];
  'alerts'?: (_pulsebase_v1_Alert)[];
}

export interface BatchResult__Output {
  'stored': (number);
  'rejected': (number);
  'verdicts': (_pulsebase_v1_Verdict__Output)[];
  'alerts': (_pulsebase_v1_Alert__Output)[];
}
