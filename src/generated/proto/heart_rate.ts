import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Alert as _pulsebase_v1_Alert, Alert__Output as _pulsebase_v1_Alert__Output } from './pulsebase/v1/Alert.js';
import type { AlertChange as _pulsebase_v1_AlertChange, AlertChange__Output as _pulsebase_v1_AlertChange__Output } from './pulsebase/v1/AlertChange.js';
import type { BatchResult as _pulsebase_v1_BatchResult, BatchResult__Output as _pulsebase_v1_BatchResult__Output } from './pulsebase/v1/BatchResult.js';
import type { HeartRateClient as _pulsebase_v1_HeartRateClient, HeartRateDefinition as _pulsebase_v1_HeartRateDefinition } from './pulsebase/v1/HeartRate.js';
import type { LiveEvent as _pulsebase_v1_LiveEvent, LiveEvent__Output as _pulsebase_v1_LiveEvent__Output } from './pulsebase/v1/LiveEvent.js';
import type { LiveSamples as _pulsebase_v1_LiveSamples, LiveSamples__Output as _pulsebase_v1_LiveSamples__Output } from './pulsebase/v1/LiveSamples.js';
import type { Sample as _pulsebase_v1_Sample, Sample__Output as _pulsebase_v1_Sample__Output } from './pulsebase/v1/Sample.js';
import type { SampleBatch as _pulsebase_v1_SampleBatch, SampleBatch__Output as _pulsebase_v1_SampleBatch__Output } from './pulsebase/v1/SampleBatch.js';
import type { SampleList as _pulsebase_v1_SampleList, SampleList__Output as _pulsebase_v1_SampleList__Output } from './pulsebase/v1/SampleList.js';
import type { Stats as _pulsebase_v1_Stats, Stats__Output as _pulsebase_v1_Stats__Output } from './pulsebase/v1/Stats.js';
import type { StatusRequest as _pulsebase_v1_StatusRequest, StatusRequest__Output as _pulsebase_v1_StatusRequest__Output } from './pulsebase/v1/StatusRequest.js';
import type { StatusResponse as _pulsebase_v1_StatusResponse, StatusResponse__Output as _pulsebase_v1_StatusResponse__Output } from './pulsebase/v1/StatusResponse.js';
import type { StoredSample as _pulsebase_v1_StoredSample, StoredSample__Output as _pulsebase_v1_StoredSample__Output } from './pulsebase/v1/StoredSample.js';
import type { SubscribeRequest as _pulsebase_v1_SubscribeRequest, SubscribeRequest__Output as _pulsebase_v1_SubscribeRequest__Output } from './pulsebase/v1/SubscribeRequest.js';
import type { TimeRange as _pulsebase_v1_TimeRange, TimeRange__Output as _pulsebase_v1_TimeRange__Output } from './pulsebase/v1/TimeRange.js';
import type { Verdict as _pulsebase_v1_Verdict, Verdict__Output as _pulsebase_v1_Verdict__Output } from './pulsebase/v1/Verdict.js';
import type { ZoneTime as _pulsebase_v1_ZoneTime, ZoneTime__Output as _pulsebase_v1_ZoneTime__Output } from './pulsebase/v1/ZoneTime.js';
import type { ZonesRequest as _pulsebase_v1_ZonesRequest, ZonesRequest__Output as _pulsebase_v1_ZonesRequest__Output } from './pulsebase/v1/ZonesRequest.js';
import type { ZonesResponse as _pulsebase_v1_ZonesResponse, ZonesResponse__Output as _pulsebase_v1_ZonesResponse__Output } from './pulsebase/v1/ZonesResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  pulsebase: {
    v1: {
      Alert: MessageTypeDefinition<_pulsebase_v1_Alert, _pulsebase_v1_Alert__Output>
      AlertChange: MessageTypeDefinition<_pulsebase_v1_AlertChange, _pulsebase_v1_AlertChange__Output>
      AlertKind: EnumTypeDefinition
      BatchResult: MessageTypeDefinition<_pulsebase_v1_BatchResult, _pulsebase_v1_BatchResult__Output>
      HeartRate: SubtypeConstructor<typeof grpc.Client, _pulsebase_v1_HeartRateClient> & { service: _pulsebase_v1_HeartRateDefinition }
      LiveEvent: MessageTypeDefinition<_pulsebase_v1_LiveEvent, _pulsebase_v1_LiveEvent__Output>
      LiveSamples: MessageTypeDefinition<_pulsebase_v1_LiveSamples, _pulsebase_v1_LiveSamples__Output>
      Sample: MessageTypeDefinition<_pulsebase_v1_Sample, _pulsebase_v1_Sample__Output>
      SampleBatch: MessageTypeDefinition<_pulsebase_v1_SampleBatch, _pulsebase_v1_SampleBatch__Output>
      SampleList: MessageTypeDefinition<_pulsebase_v1_SampleList, _pulsebase_v1_SampleList__Output>
      Stats: MessageTypeDefinition<_pulsebase_v1_Stats, _pulsebase_v1_Stats__Output>
      StatusRequest: MessageTypeDefinition<_pulsebase_v1_StatusRequest, _pulsebase_v1_StatusRequest__Output>
      StatusResponse: MessageTypeDefinition<_pulsebase_v1_StatusResponse, _pulsebase_v1_StatusResponse__Output>
      StoredSample: MessageTypeDefinition<_pulsebase_v1_StoredSample, _pulsebase_v1_StoredSample__Output>
      SubscribeRequest: MessageTypeDefinition<_pulsebase_v1_SubscribeRequest, _pulsebase_v1_SubscribeRequest__Output>
      TimeRange: MessageTypeDefinition<_pulsebase_v1_TimeRange, _pulsebase_v1_TimeRange__Output>
      Verdict: MessageTypeDefinition<_pulsebase_v1_Verdict, _pulsebase_v1_Verdict__Output>
      VerdictStatus: EnumTypeDefinition
      ZoneTime: MessageTypeDefinition<_pulsebase_v1_ZoneTime, _pulsebase_v1_ZoneTime__Output>
      ZonesRequest: MessageTypeDefinition<_pulsebase_v1_ZonesRequest, _pulsebase_v1_ZonesRequest__Output>
      ZonesResponse: MessageTypeDefinition<_pulsebase_v1_ZonesResponse, _pulsebase_v1_ZonesResponse__Output>
    }
  }
}

