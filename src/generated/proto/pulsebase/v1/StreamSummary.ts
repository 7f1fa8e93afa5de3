// Original file: proto/pulsebase/v1/sensors.proto

import type { FrameVerdict as _pulsebase_v1_FrameVerdict, FrameVerdict__Output as _pulsebase_v1_FrameVerdict__Output } from '../../pulsebase/v1/FrameVerdict.js';
import type { Long } from '@grpc/proto-loader';

export interface StreamSummary {
  'stored'?: (number | string | Long);
  'alreadyStored'?: (number | string | Long);
  'rejected'?: (number | string | Long);
  'rejections'?: (_pulsebase_v1_FrameVerdict)[];
}

export interface StreamSummary__Output {
  'stored': (number);
  'alreadyStored': (number);
  'rejected': (number);
  'rejections': (_pulsebase_v1_FrameVerdict__Output)[];
}
