// Original file: proto/pulsebase/v1/sensors.proto

import type { Frame as _pulsebase_v1_Frame, Frame__Output as _pulsebase_v1_Frame__Output } from '../../pulsebase/v1/Frame.js';

export interface FrameBatch {
  'frames'?: (_pulsebase_v1_Frame)[];
}

export interface FrameBatch__Output {
  'frames': (_pulsebase_v1_Frame__Output)[];
}
