// Original file: proto/pulsebase/v1/heart_rate.proto


export interface Stats {
  'count'?: (number);
  'averageBpm'?: (number | string);
  'minBpm'?: (number | string);
  'maxBpm'?: (number | string);
}

export interface Stats__Output {
  'count': (number);
  'averageBpm': (number);
  'minBpm': (number);
  'maxBpm': (number);
}
