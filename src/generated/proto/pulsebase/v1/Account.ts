// Original file: proto/pulsebase/v1/account.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { WhoAmIRequest as _pulsebase_v1_WhoAmIRequest, WhoAmIRequest__Output as _pulsebase_v1_WhoAmIRequest__Output } from '../../pulsebase/v1/WhoAmIRequest.js';
import type { WhoAmIResponse as _pulsebase_v1_WhoAmIResponse, WhoAmIResponse__Output as _pulsebase_v1_WhoAmIResponse__Output } from '../../pulsebase/v1/WhoAmIResponse.js';

export interface AccountClient extends grpc.Client {
  WhoAmI(argument: _pulsebase_v1_WhoAmIRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  WhoAmI(argument: _pulsebase_v1_WhoAmIRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  WhoAmI(argument: _pulsebase_v1_WhoAmIRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  WhoAmI(argument: _pulsebase_v1_WhoAmIRequest, callback: grpc.requestCallback<_pulsebase_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _pulsebase_v1_WhoAmIRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _pulsebase_v1_WhoAmIRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_pulsebase_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _pulsebase_v1_WhoAmIRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_pulsebase_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _pulsebase_v1_WhoAmIRequest, callback: grpc.requestCallback<_pulsebase_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AccountHandlers extends grpc.UntypedServiceImplementation {
  WhoAmI: grpc.handleUnaryCall<_pulsebase_v1_WhoAmIRequest__Output, _pulsebase_v1_WhoAmIResponse>;
  
}

export interface AccountDefinition extends grpc.ServiceDefinition {
  WhoAmI: MethodDefinition<_pulsebase_v1_WhoAmIRequest, _pulsebase_v1_WhoAmIResponse, _pulsebase_v1_WhoAmIRequest__Output, _pulsebase_v1_WhoAmIResponse__Output>
}
