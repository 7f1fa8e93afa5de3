// Original file: proto/pulsebase/v1/sensors.proto

import type { Long } from '@grpc/proto-loader';

export interface FrameVerdict {
  'stored'?: (boolean);
  'alreadyStored'?: (boolean);
  'reason'?: (string);
  'message'?: (string);
  'timestampMs'?: (number | string | Long);
  'kind'?: (string);
}

export interface FrameVerdict__Output {
  'stored': (boolean);
  'alreadyStored': (boolean);
  'reason': (string);
  'message': (string);
  'timestampMs': (number);
  'kind': (string);
}
