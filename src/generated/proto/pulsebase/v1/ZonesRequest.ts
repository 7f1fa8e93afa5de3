// Original file: proto/pulsebase/v1/heart_rate.proto

import type { TimeRange as _pulsebase_v1_TimeRange, TimeRange__Output as _pulsebase_v1_TimeRange__Output } from '../../pulsebase/v1/TimeRange.js';
import type { SampleList as _pulsebase_v1_SampleList, SampleList__Output as _pulsebase_v1_SampleList__Output } from '../../pulsebase/v1/SampleList.js';

export interface ZonesRequest {
  'range'?: (_pulsebase_v1_TimeRange | null);
  'samples'?: (_pulsebase_v1_SampleList | null);
  'age'?: (number);
  'maxHeartRate'?: (number);
  'restingHeartRate'?: (number);
  'maxGapSeconds'?: (number | string);
  'source'?: "range"|"samples";
}

export interface ZonesRequest__Output {
  'range'?: (_pulsebase_v1_TimeRange__Output | null);
  'samples'?: (_pulsebase_v1_SampleList__Output | null);
  'age': (number);
  'maxHeartRate': (number);
  'restingHeartRate': (number);
  'maxGapSeconds': (number);
  'source'?: "range"|"samples";
}
