// Original file: proto/heartrate/heartrate_service.proto


export interface HeartRateStats {
  'averageBpm'?: (number | string);
  'minBpm'?: (number);
  'maxBpm'?: (number);
}

export interface HeartRateStats__Output {
  'averageBpm': (number);
  'minBpm': (number);
  'maxBpm': (number);
}
