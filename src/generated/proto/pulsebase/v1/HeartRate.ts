// Original file: proto/pulsebase/v1/heart_rate.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BatchResult as _pulsebase_v1_BatchResult, BatchResult__Output as _pulsebase_v1_BatchResult__Output } from '../../pulsebase/v1/BatchResult.js';
import type { LiveEvent as _pulsebase_v1_LiveEvent, LiveEvent__Output as _pulsebase_v1_LiveEvent__Output } from '../../pulsebase/v1/LiveEvent.js';
import type { Sample as _pulsebase_v1_Sample, Sample__Output as _pulsebase_v1_Sample__Output } from '../../pulsebase/v1/Sample.js';
import type { SampleBatch as _pulsebase_v1_SampleBatch, SampleBatch__Output as _pulsebase_v1_SampleBatch__Output } from '../../pulsebase/v1/SampleBatch.js';
import type { StatusRequest as _pulsebase_v1_StatusRequest, StatusRequest__Output as _pulsebase_v1_StatusRequest__Output } from '../../pulsebase/v1/StatusRequest.js';
import type { StatusResponse as _pulsebase_v1_StatusResponse, StatusResponse__Output as _pulsebase_v1_StatusResponse__Output } from '../../pulsebase/v1/StatusResponse.js';
import type { SubscribeRequest as _pulsebase_v1_SubscribeRequest, SubscribeRequest__Output as _pulsebase_v1_SubscribeRequest__Output } from '../../pulsebase/v1/SubscribeRequest.js';
import type { Verdict as _pulsebase_v1_Verdict, Verdict__Output as _pulsebase_v1_Verdict__Output } from '../../pulsebase/v1/Verdict.js';
import type { ZonesRequest as _pulsebase_v1_ZonesRequest, ZonesRequest__Output as _pulsebase_v1_ZonesRequest__Output } from '../../pulsebase/v1/ZonesRequest.js';
import type { ZonesResponse as _pulsebase_v1_ZonesResponse, ZonesResponse__Output as _pulsebase_v1_ZonesResponse__Output } from '../../pulsebase/v1/ZonesResponse.js';

export interface HeartRateClient extends grpc.Client {
  Status(argument: _pulsebase_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _pulsebase_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _pulsebase_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _pulsebase_v1_StatusRequest, callback: grpc.requestCallback<_pulsebase_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _pulsebase_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _pulsebase_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _pulsebase_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _pulsebase_v1_StatusRequest, callback: grpc.requestCallback<_pulsebase_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  Stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_pulsebase_v1_Sample, _pulsebase_v1_Verdict__Output>;
  Stream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_pulsebase_v1_Sample, _pulsebase_v1_Verdict__Output>;
  stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_pulsebase_v1_Sample, _pulsebase_v1_Verdict__Output>;
  stream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_pulsebase_v1_Sample, _pulsebase_v1_Verdict__Output>;
  
  Submit(argument: _pulsebase_v1_Sample, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_Verdict__Output>): grpc.ClientUnaryCall;
  Submit(argument: _pulsebase_v1_Sample, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_Verdict__Output>): grpc.ClientUnaryCall;
  Submit(argument: _pulsebase_v1_Sample, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_Verdict__Output>): grpc.ClientUnaryCall;
  Submit(argument: _pulsebase_v1_Sample, callback: grpc.requestCallback<_pulsebase_v1_Verdict__Output>): grpc.ClientUnaryCall;
  submit(argument: _pulsebase_v1_Sample, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_Verdict__Output>): grpc.ClientUnaryCall;
  submit(argument: _pulsebase_v1_Sample, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_Verdict__Output>): grpc.ClientUnaryCall;
  submit(argument: _pulsebase_v1_Sample, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_Verdict__Output>): grpc.ClientUnaryCall;
  submit(argument: _pulsebase_v1_Sample, callback: grpc.requestCallback<_pulsebase_v1_Verdict__Output>): grpc.ClientUnaryCall;
  
  SubmitBatch(argument: _pulsebase_v1_SampleBatch, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_BatchResult__Output>): grpc.ClientUnaryCall;
  SubmitBatch(argument: _pulsebase_v1_SampleBatch, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_BatchResult__Output>): grpc.ClientUnaryCall;
  SubmitBatch(argument: _pulsebase_v1_SampleBatch, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_BatchResult__Output>): grpc.ClientUnaryCall;
  SubmitBatch(argument: _pulsebase_v1_SampleBatch, callback: grpc.requestCallback<_pulsebase_v1_BatchResult__Output>): grpc.ClientUnaryCall;
  submitBatch(argument: _pulsebase_v1_SampleBatch, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_BatchResult__Output>): grpc.ClientUnaryCall;
  submitBatch(argument: _pulsebase_v1_SampleBatch, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_BatchResult__Output>): grpc.ClientUnaryCall;
  submitBatch(argument: _pulsebase_v1_SampleBatch, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_BatchResult__Output>): grpc.ClientUnaryCall;
  submitBatch(argument: _pulsebase_v1_SampleBatch, callback: grpc.requestCallback<_pulsebase_v1_BatchResult__Output>): grpc.ClientUnaryCall;
  
  Subscribe(argument: _pulsebase_v1_SubscribeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_pulsebase_v1_LiveEvent__Output>;
  Subscribe(argument: _pulsebase_v1_SubscribeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_pulsebase_v1_LiveEvent__Output>;
  subscribe(argument: _pulsebase_v1_SubscribeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_pulsebase_v1_LiveEvent__Output>;
  subscribe(argument: _pulsebase_v1_SubscribeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_pulsebase_v1_LiveEvent__Output>;
  
  Zones(argument: _pulsebase_v1_ZonesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_ZonesResponse__Output>): grpc.ClientUnaryCall;
  Zones(argument: _pulsebase_v1_ZonesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_ZonesResponse__Output>): grpc.ClientUnaryCall;
  Zones(argument: _pulsebase_v1_ZonesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_ZonesResponse__Output>): grpc.ClientUnaryCall;
  Zones(argument: _pulsebase_v1_ZonesRequest, callback: grpc.requestCallback<_pulsebase_v1_ZonesResponse__Output>): grpc.ClientUnaryCall;
  zones(argument: _pulsebase_v1_ZonesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_ZonesResponse__Output>): grpc.ClientUnaryCall;
  zones(argument: _pulsebase_v1_ZonesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_ZonesResponse__Output>): grpc.ClientUnaryCall;
  zones(argument: _pulsebase_v1_ZonesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_ZonesResponse__Output>): grpc.ClientUnaryCall;
  zones(argument: _pulsebase_v1_ZonesRequest, callback: grpc.requestCallback<_pulsebase_v1_ZonesResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface HeartRateHandlers extends grpc.UntypedServiceImplementation {
  Status: grpc.handleUnaryCall<_pulsebase_v1_StatusRequest__Output, _pulsebase_v1_StatusResponse>;
  
  Stream: grpc.handleBidiStreamingCall<_pulsebase_v1_Sample__Output, _pulsebase_v1_Verdict>;
  
  Submit: grpc.handleUnaryCall<_pulsebase_v1_Sample__Output, _pulsebase_v1_Verdict>;
  
  SubmitBatch: grpc.handleUnaryCall<_pulsebase_v1_SampleBatch__Output, _pulsebase_v1_BatchResult>;
  
  Subscribe: grpc.handleServerStreamingCall<_pulsebase_v1_SubscribeRequest__Output, _pulsebase_v1_LiveEvent>;
  
  Zones: grpc.handleUnaryCall<_pulsebase_v1_ZonesRequest__Output, _pulsebase_v1_ZonesResponse>;
  
}

export interface HeartRateDefinition extends grpc.ServiceDefinition {
  Status: MethodDefinition<_pulsebase_v1_StatusRequest, _pulsebase_v1_StatusResponse, _pulsebase_v1_StatusRequest__Output, _pulsebase_v1_StatusResponse__Output>
  Stream: MethodDefinition<_pulsebase_v1_Sample, _pulsebase_v1_Verdict, _pulsebase_v1_Sample__Output, _pulsebase_v1_Verdict__Output>
  Submit: MethodDefinition<_pulsebase_v1_Sample, _pulsebase_v1_Verdict, _pulsebase_v1_Sample__Output, _pulsebase_v1_Verdict__Output>
  SubmitBatch: MethodDefinition<_pulsebase_v1_SampleBatch, _pulsebase_v1_BatchResult, _pulsebase_v1_SampleBatch__Output, _pulsebase_v1_BatchResult__Output>
  Subscribe: MethodDefinition<_pulsebase_v1_SubscribeRequest, _pulsebase_v1_LiveEvent, _pulsebase_v1_SubscribeRequest__Output, _pulsebase_v1_LiveEvent__Output>
  Zones: MethodDefinition<_pulsebase_v1_ZonesRequest, _pulsebase_v1_ZonesResponse, _pulsebase_v1_ZonesRequest__Output, _pulsebase_v1_ZonesResponse__Output>
}
