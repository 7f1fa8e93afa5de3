// Original file: proto/heartrate/heartrate_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ExerciseZoneRequest as _heartrate_ExerciseZoneRequest, ExerciseZoneRequest__Output as _heartrate_ExerciseZoneRequest__Output } from '../heartrate/ExerciseZoneRequest.js';
import type { ExerciseZoneResponse as _heartrate_ExerciseZoneResponse, ExerciseZoneResponse__Output as _heartrate_ExerciseZoneResponse__Output } from '../heartrate/ExerciseZoneResponse.js';
import type { HeartRateRequest as _heartrate_HeartRateRequest, HeartRateRequest__Output as _heartrate_HeartRateRequest__Output } from '../heartrate/HeartRateRequest.js';
import type { HeartRateResponse as _heartrate_HeartRateResponse, HeartRateResponse__Output as _heartrate_HeartRateResponse__Output } from '../heartrate/HeartRateResponse.js';
import type { StatusRequest as _heartrate_StatusRequest, StatusRequest__Output as _heartrate_StatusRequest__Output } from '../heartrate/StatusRequest.js';
import type { StatusResponse as _heartrate_StatusResponse, StatusResponse__Output as _heartrate_StatusResponse__Output } from '../heartrate/StatusResponse.js';

export interface HeartRateMonitorClient extends grpc.Client {
  CalculateExerciseZones(argument: _heartrate_ExerciseZoneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_ExerciseZoneResponse__Output>): grpc.ClientUnaryCall;
  CalculateExerciseZones(argument: _heartrate_ExerciseZoneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_heartrate_ExerciseZoneResponse__Output>): grpc.ClientUnaryCall;
  CalculateExerciseZones(argument: _heartrate_ExerciseZoneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_ExerciseZoneResponse__Output>): grpc.ClientUnaryCall;
  CalculateExerciseZones(argument: _heartrate_ExerciseZoneRequest, callback: grpc.requestCallback<_heartrate_ExerciseZoneResponse__Output>): grpc.ClientUnaryCall;
  calculateExerciseZones(argument: _heartrate_ExerciseZoneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_ExerciseZoneResponse__Output>): grpc.ClientUnaryCall;
  calculateExerciseZones(argument: _heartrate_ExerciseZoneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_heartrate_ExerciseZoneResponse__Output>): grpc.ClientUnaryCall;
  calculateExerciseZones(argument: _heartrate_ExerciseZoneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_ExerciseZoneResponse__Output>): grpc.ClientUnaryCall;
  calculateExerciseZones(argument: _heartrate_ExerciseZoneRequest, callback: grpc.requestCallback<_heartrate_ExerciseZoneResponse__Output>): grpc.ClientUnaryCall;
  
  GetHeartRateStatus(argument: _heartrate_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_StatusResponse__Output>): grpc.ClientUnaryCall;
  GetHeartRateStatus(argument: _heartrate_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_heartrate_StatusResponse__Output>): grpc.ClientUnaryCall;
  GetHeartRateStatus(argument: _heartrate_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_StatusResponse__Output>): grpc.ClientUnaryCall;
  GetHeartRateStatus(argument: _heartrate_StatusRequest, callback: grpc.requestCallback<_heartrate_StatusResponse__Output>): grpc.ClientUnaryCall;
  getHeartRateStatus(argument: _heartrate_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_StatusResponse__Output>): grpc.ClientUnaryCall;
  getHeartRateStatus(argument: _heartrate_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_heartrate_StatusResponse__Output>): grpc.ClientUnaryCall;
  getHeartRateStatus(argument: _heartrate_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_StatusResponse__Output>): grpc.ClientUnaryCall;
  getHeartRateStatus(argument: _heartrate_StatusRequest, callback: grpc.requestCallback<_heartrate_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  StreamHeartRate(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_heartrate_HeartRateRequest, _heartrate_HeartRateResponse__Output>;
  StreamHeartRate(options?: grpc.CallOptions): grpc.ClientDuplexStream<_heartrate_HeartRateRequest, _heartrate_HeartRateResponse__Output>;
  streamHeartRate(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_heartrate_HeartRateRequest, _heartrate_HeartRateResponse__Output>;
  streamHeartRate(options?: grpc.CallOptions): grpc.ClientDuplexStream<_heartrate_HeartRateRequest, _heartrate_HeartRateResponse__Output>;
  
  SubmitHeartRate(argument: _heartrate_HeartRateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_HeartRateResponse__Output>): grpc.ClientUnaryCall;
  SubmitHeartRate(argument: _heartrate_HeartRateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_heartrate_HeartRateResponse__Output>): grpc.ClientUnaryCall;
  SubmitHeartRate(argument: _heartrate_HeartRateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_HeartRateResponse__Output>): grpc.ClientUnaryCall;
  SubmitHeartRate(argument: _heartrate_HeartRateRequest, callback: grpc.requestCallback<_heartrate_HeartRateResponse__Output>): grpc.ClientUnaryCall;
  submitHeartRate(argument: _heartrate_HeartRateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_HeartRateResponse__Output>): grpc.ClientUnaryCall;
  submitHeartRate(argument: _heartrate_HeartRateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_heartrate_HeartRateResponse__Output>): grpc.ClientUnaryCall;
  submitHeartRate(argument: _heartrate_HeartRateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_heartrate_HeartRateResponse__Output>): grpc.ClientUnaryCall;
  submitHeartRate(argument: _heartrate_HeartRateRequest, callback: grpc.requestCallback<_heartrate_HeartRateResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface HeartRateMonitorHandlers extends grpc.UntypedServiceImplementation {
  CalculateExerciseZones: grpc.handleUnaryCall<_heartrate_ExerciseZoneRequest__Output, _heartrate_ExerciseZoneResponse>;
  
  GetHeartRateStatus: grpc.handleUnaryCall<_heartrate_StatusRequest__Output, _heartrate_StatusResponse>;
  
  StreamHeartRate: grpc.handleBidiStreamingCall<_heartrate_HeartRateRequest__Output, _heartrate_HeartRateResponse>;
  
  SubmitHeartRate: grpc.handleUnaryCall<_heartrate_HeartRateRequest__Output, _heartrate_HeartRateResponse>;
  
}

export interface HeartRateMonitorDefinition extends grpc.ServiceDefinition {
  CalculateExerciseZones: MethodDefinition<_heartrate_ExerciseZoneRequest, _heartrate_ExerciseZoneResponse, _heartrate_ExerciseZoneRequest__Output, _heartrate_ExerciseZoneResponse__Output>
  GetHeartRateStatus: MethodDefinition<_heartrate_StatusRequest, _heartrate_StatusResponse, _heartrate_StatusRequest__Output, _heartrate_StatusResponse__Output>
  StreamHeartRate: MethodDefinition<_heartrate_HeartRateRequest, _heartrate_HeartRateResponse, _heartrate_HeartRateRequest__Output, _heartrate_HeartRateResponse__Output>
  SubmitHeartRate: MethodDefinition<_heartrate_HeartRateRequest, _heartrate_HeartRateResponse, _heartrate_HeartRateRequest__Output, _heartrate_HeartRateResponse__Output>
}
