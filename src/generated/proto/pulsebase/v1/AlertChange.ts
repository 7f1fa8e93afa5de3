// Original file: proto/pulsebase/v1/heart_rate.proto

import type { Alert as _pulsebase_v1_Alert, Alert__Output as _pulsebase_v1_Alert__Output } from '../../pulsebase/v1/Alert.js';

export interface AlertChange {
  'change'?: (string);
  'alert'?: (_pulsebase_v1_Alert | null);
}

export interface AlertChange__Output {
  'change': (string);
  'alert': (_pulsebase_v1_Alert__Output | null);
}
