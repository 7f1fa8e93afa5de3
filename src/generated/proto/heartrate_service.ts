import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ExerciseZoneRequest as _heartrate_ExerciseZoneRequest, ExerciseZoneRequest__Output as _heartrate_ExerciseZoneRequest__Output } from './heartrate/ExerciseZoneRequest.js';
import type { ExerciseZoneResponse as _heartrate_ExerciseZoneResponse, ExerciseZoneResponse__Output as _heartrate_ExerciseZoneResponse__Output } from './heartrate/ExerciseZoneResponse.js';
import type { HeartRateMeasurement as _heartrate_HeartRateMeasurement, HeartRateMeasurement__Output as _heartrate_HeartRateMeasurement__Output } from './heartrate/HeartRateMeasurement.js';
import type { HeartRateMonitorClient as _heartrate_HeartRateMonitorClient, HeartRateMonitorDefinition as _heartrate_HeartRateMonitorDefinition } from './heartrate/HeartRateMonitor.js';
import type { HeartRateRequest as _heartrate_HeartRateRequest, HeartRateRequest__Output as _heartrate_HeartRateRequest__Output } from './heartrate/HeartRateRequest.js';
import type { HeartRateResponse as _heartrate_HeartRateResponse, HeartRateResponse__Output as _heartrate_HeartRateResponse__Output } from './heartrate/HeartRateResponse.js';
import type { HeartRateStats as _heartrate_HeartRateStats, HeartRateStats__Output as _heartrate_HeartRateStats__Output } from './heartrate/HeartRateStats.js';
import type { StatusRequest as _heartrate_StatusRequest, StatusRequest__Output as _heartrate_StatusRequest__Output } from './heartrate/StatusRequest.js';
import type { StatusResponse as _heartrate_StatusResponse, StatusResponse__Output as _heartrate_StatusResponse__Output } from './heartrate/StatusResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  heartrate: {
    AlertType: EnumTypeDefinition
    ExerciseZoneRequest: MessageTypeDefinition<_heartrate_ExerciseZoneRequest, _heartrate_ExerciseZoneRequest__Output>
    ExerciseZoneResponse: MessageTypeDefinition<_heartrate_ExerciseZoneResponse, _heartrate_ExerciseZoneResponse__Output>
    HeartRateMeasurement: MessageTypeDefinition<_heartrate_HeartRateMeasurement, _heartrate_HeartRateMeasurement__Output>
    HeartRateMonitor: SubtypeConstructor<typeof grpc.Client, _heartrate_HeartRateMonitorClient> & { service: _heartrate_HeartRateMonitorDefinition }
    HeartRateRequest: MessageTypeDefinition<_heartrate_HeartRateRequest, _heartrate_HeartRateRequest__Output>
    HeartRateResponse: MessageTypeDefinition<_heartrate_HeartRateResponse, _heartrate_HeartRateResponse__Output>
    HeartRateStats: MessageTypeDefinition<_heartrate_HeartRateStats, _heartrate_HeartRateStats__Output>
    StatusRequest: MessageTypeDefinition<_heartrate_StatusRequest, _heartrate_StatusRequest__Output>
    StatusResponse: MessageTypeDefinition<_heartrate_StatusResponse, _heartrate_StatusResponse__Output>
  }
}

