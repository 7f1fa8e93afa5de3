// Original file: proto/pulsebase/v1/heart_rate.proto


export interface ZoneTime {
  'zone'?: (number);
  'lowerBpm'?: (number | string);
  'upperBpm'?: (number | string);
  'seconds'?: (number | string);
}

export interface ZoneTime__Output {
  'zone': (number);
  'lowerBpm': (number);
  'upperBpm': (number);
  'seconds': (number);
}
