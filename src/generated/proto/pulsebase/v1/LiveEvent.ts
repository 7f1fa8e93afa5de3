// Original file: proto/pulsebase/v1/heart_rate.proto

import type { LiveSamples as _pulsebase_v1_LiveSamples, LiveSamples__Output as _pulsebase_v1_LiveSamples__Output } from '../../pulsebase/v1/LiveSamples.js';
import type { AlertChange as _pulsebase_v1_AlertChange, AlertChange__Output as _pulsebase_v1_AlertChange__Output } from '../../pulsebase/v1/AlertChange.js';

export interface LiveEvent {
  'samples'?: (_pulsebase_v1_LiveSamples | null);
  'alert'?: (_pulsebase_v1_AlertChange | null);
  'event'?: "samples"|"alert";
}

export interface LiveEvent__Output {
  'samples'?: (_pulsebase_v1_LiveSamples__Output | null);
  'alert'?: (_pulsebase_v1_AlertChange__Output | null);
  'event'?: "samples"|"alert";
}
