// Original file: proto/pulsebase/v1/sensors.proto

import type { ChannelGroup as _pulsebase_v1_ChannelGroup, ChannelGroup__Output as _pulsebase_v1_ChannelGroup__Output } from '../../pulsebase/v1/ChannelGroup.js';
import type { Long } from '@grpc/proto-loader';

export interface Frame {
  'kind'?: (string);
  'timestampMs'?: (number | string | Long);
  'channels'?: (_pulsebase_v1_ChannelGroup)[];
}

export interface Frame__Output {
  'kind': (string);
  'timestampMs': (number);
  'channels': (_pulsebase_v1_ChannelGroup__Output)[];
}
