// Original file: proto/pulsebase/v1/heart_rate.proto

import type { AlertKind as _pulsebase_v1_AlertKind, AlertKind__Output as _pulsebase_v1_AlertKind__Output } from '../../pulsebase/v1/AlertKind.js';
import type { Long } from '@grpc/proto-loader';

export interface Alert {
  'id'?: (string);
  'kind'?: (_pulsebase_v1_AlertKind);
  'deviceId'?: (string);
  'openedAtMs'?: (number | string | Long);
  'lastAlertAtMs'?: (number | string | Long);
  'closedAtMs'?: (number | string | Long);
  'peakBpm'?: (number | string);
  'sampleCount'?: (number);
  'acknowledgedAtMs'?: (number | string | Long);
}

export interface Alert__Output {
  'id': (string);
  'kind': (_pulsebase_v1_AlertKind__Output);
  'deviceId': (string);
  'openedAtMs': (number);
  'lastAlertAtMs': (number);
  'closedAtMs': (number);
  'peakBpm': (number);
  'sampleCount': (number);
  'acknowledgedAtMs': (number);
}
