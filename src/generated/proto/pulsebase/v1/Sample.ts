// Original file: proto/pulsebase/v1/heart_rate.proto

import type { Long } from '@grpc/proto-loader';

export interface Sample {
  'timestampMs'?: (number | string | Long);
  'bpm'?: (number | string);
  'rrIntervalsMs'?: (number | string)[];
}

export interface Sample__Output {
  'timestampMs': (number);
  'bpm': (number);
  'rrIntervalsMs': (number)[];
}
