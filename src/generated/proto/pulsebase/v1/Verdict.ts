// Original file: proto/pulsebase/v1/heart_rate.proto

import type { VerdictStatus as _pulsebase_v1_VerdictStatus, VerdictStatus__Output as _pulsebase_v1_VerdictStatus__Output } from '../../pulsebase/v1/VerdictStatus.js';
import type { AlertKind as _pulsebase_v1_AlertKind, AlertKind__Output as _pulsebase_v1_AlertKind__Output } from '../../pulsebase/v1/AlertKind.js';
import type { Long } from '@grpc/proto-loader';

export interface Verdict {
  'status'?: (_pulsebase_v1_VerdictStatus);
  'alert'?: (_pulsebase_v1_AlertKind);
  'alreadyStored'?: (boolean);
  'reason'?: (string);
  'message'?: (string);
  'timestampMs'?: (number | string | Long);
}

export interface Verdict__Output {
  'status': (_pulsebase_v1_VerdictStatus__Output);
  'alert': (_pulsebase_v1_AlertKind__Output);
  'alreadyStored': (boolean);
  'reason': (string);
  'message': (string);
  'timestampMs': (number);
}
