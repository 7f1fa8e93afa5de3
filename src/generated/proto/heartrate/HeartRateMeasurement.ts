// Original file: proto/heartrate/heartrate_service.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartRateMeasurement {
  'bpm'?: (number);
  'timestamp'?: (number | string | Long);
  'triggeredAlert'?: (boolean);
}

export interface HeartRateMeasurement__Output {
  'bpm': (number);
  'timestamp': (number);
  'triggeredAlert': (boolean);
}
