// Original file: proto/pulsebase/v1/sensors.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { FrameBatch as _pulsebase_v1_FrameBatch, FrameBatch__Output as _pulsebase_v1_FrameBatch__Output } from '../../pulsebase/v1/FrameBatch.js';
import type { FrameBatchResult as _pulsebase_v1_FrameBatchResult, FrameBatchResult__Output as _pulsebase_v1_FrameBatchResult__Output } from '../../pulsebase/v1/FrameBatchResult.js';
import type { StreamSummary as _pulsebase_v1_StreamSummary, StreamSummary__Output as _pulsebase_v1_StreamSummary__Output } from '../../pulsebase/v1/StreamSummary.js';

export interface SensorsClient extends grpc.Client {
  StreamFrames(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_StreamSummary__Output>): grpc.ClientWritableStream<_pulsebase_v1_FrameBatch>;
  StreamFrames(metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_StreamSummary__Output>): grpc.ClientWritableStream<_pulsebase_v1_FrameBatch>;
  StreamFrames(options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_StreamSummary__Output>): grpc.ClientWritableStream<_pulsebase_v1_FrameBatch>;
  StreamFrames(callback: grpc.requestCallback<_pulsebase_v1_StreamSummary__Output>): grpc.ClientWritableStream<_pulsebase_v1_FrameBatch>;
  streamFrames(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_StreamSummary__Output>): grpc.ClientWritableStream<_pulsebase_v1_FrameBatch>;
  streamFrames(metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_StreamSummary__Output>): grpc.ClientWritableStream<_pulsebase_v1_FrameBatch>;
  streamFrames(options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_StreamSummary__Output>): grpc.ClientWritableStream<_pulsebase_v1_FrameBatch>;
  streamFrames(callback: grpc.requestCallback<_pulsebase_v1_StreamSummary__Output>): grpc.ClientWritableStream<_pulsebase_v1_FrameBatch>;
  
  SubmitFrames(argument: _pulsebase_v1_FrameBatch, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_FrameBatchResult__Output>): grpc.ClientUnaryCall;
  SubmitFrames(argument: _pulsebase_v1_FrameBatch, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_FrameBatchResult__Output>): grpc.ClientUnaryCall;
  SubmitFrames(argument: _pulsebase_v1_FrameBatch, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_FrameBatchResult__Output>): grpc.ClientUnaryCall;
  SubmitFrames(argument: _pulsebase_v1_FrameBatch, callback: grpc.requestCallback<_pulsebase_v1_FrameBatchResult__Output>): grpc.ClientUnaryCall;
  submitFrames(argument: _pulsebase_v1_FrameBatch, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_FrameBatchResult__Output>): grpc.ClientUnaryCall;
  submitFrames(argument: _pulsebase_v1_FrameBatch, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_FrameBatchResult__Output>): grpc.ClientUnaryCall;
  submitFrames(argument: _pulsebase_v1_FrameBatch, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_FrameBatchResult__Output>): grpc.ClientUnaryCall;
  submitFrames(argument: _pulsebase_v1_FrameBatch, callback: grpc.requestCallback<_pulsebase_v1_FrameBatchResult__Output>): grpc.ClientUnaryCall;
  
}

export interface SensorsHandlers extends grpc.UntypedServiceImplementation {
  StreamFrames: grpc.handleClientStreamingCall<_pulsebase_v1_FrameBatch__Output, _pulsebase_v1_StreamSummary>;
  
  SubmitFrames: grpc.handleUnaryCall<_pulsebase_v1_FrameBatch__Output, _pulsebase_v1_FrameBatchResult>;
  
}

export interface SensorsDefinition extends grpc.ServiceDefinition {
  StreamFrames: MethodDefinition<_pulsebase_v1_FrameBatch, _pulsebase_v1_StreamSummary, _pulsebase_v1_FrameBatch__Output, _pulsebase_v1_StreamSummary__Output>
  SubmitFrames: MethodDefinition<_pulsebase_v1_FrameBatch, _pulsebase_v1_FrameBatchResult, _pulsebase_v1_FrameBatch__Output, _pulsebase_v1_FrameBatchResult__Output>
}
