// Original file: proto/pulsebase/v1/heart_rate.proto

import type { Long } from '@grpc/proto-loader';

export interface TimeRange {
  'fromMs'?: (number | string | Long);
  'toMs'?: (number | string | Long);
  'deviceId'?: (string);
}

export interface TimeRange__Output {
  'fromMs': (number);
  'toMs': (number);
  'deviceId': (string);
}
