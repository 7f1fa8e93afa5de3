import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ChannelGroup as _pulsebase_v1_ChannelGroup, ChannelGroup__Output as _pulsebase_v1_ChannelGroup__Output } from './pulsebase/v1/ChannelGroup.js';
import type { Frame as _pulsebase_v1_Frame, Frame__Output as _pulsebase_v1_Frame__Output } from './pulsebase/v1/Frame.js';
import type { FrameBatch as _pulsebase_v1_FrameBatch, FrameBatch__Output as _pulsebase_v1_FrameBatch__Output } from './pulsebase/v1/FrameBatch.js';
import type { FrameBatchResult as _pulsebase_v1_FrameBatchResult, FrameBatchResult__Output as _pulsebase_v1_FrameBatchResult__Output } from './pulsebase/v1/FrameBatchResult.js';
import type { FrameVerdict as _pulsebase_v1_FrameVerdict, FrameVerdict__Output as _pulsebase_v1_FrameVerdict__Output } from './pulsebase/v1/FrameVerdict.js';
import type { SensorsClient as _pulsebase_v1_SensorsClient, SensorsDefinition as _pulsebase_v1_SensorsDefinition } from './pulsebase/v1/Sensors.js';
import type { StreamSummary as _pulsebase_v1_StreamSummary, StreamSummary__Output as _pulsebase_v1_StreamSummary__Output } from './pulsebase/v1/StreamSummary.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  pulsebase: {
    v1: {
      ChannelGroup: MessageTypeDefinition<_pulsebase_v1_ChannelGroup, _pulsebase_v1_ChannelGroup__Output>
      Frame: MessageTypeDefinition<_pulsebase_v1_Frame, _pulsebase_v1_Frame__Output>
      FrameBatch: MessageTypeDefinition<_pulsebase_v1_FrameBatch, _pulsebase_v1_FrameBatch__Output>
      FrameBatchResult: MessageTypeDefinition<_pulsebase_v1_FrameBatchResult, _pulsebase_v1_FrameBatchResult__Output>
      FrameVerdict: MessageTypeDefinition<_pulsebase_v1_FrameVerdict, _pulsebase_v1_FrameVerdict__Output>
      Sensors: SubtypeConstructor<typeof grpc.Client, _pulsebase_v1_SensorsClient> & { service: _pulsebase_v1_SensorsDefinition }
      StreamSummary: MessageTypeDefinition<_pulsebase_v1_StreamSummary, _pulsebase_v1_StreamSummary__Output>
    }
  }
}

