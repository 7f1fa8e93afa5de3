// Original file: proto/heartrate/heartrate_service.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartRateRequest {
  'bpm'?: (number);
  'timestamp'?: (number | string | Long);
  'metadata'?: ({[key: string]: string});
}

export interface HeartRateRequest__Output {
  'bpm': (number);
  'timestamp': (number);
  'metadata': ({[key: string]: string});
}
