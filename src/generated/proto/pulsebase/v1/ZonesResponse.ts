// Original file: proto/pulsebase/v1/heart_rate.proto

import type { ZoneTime as _pulsebase_v1_ZoneTime, ZoneTime__Output as _pulsebase_v1_ZoneTime__Output } from '../../pulsebase/v1/ZoneTime.js';

export interface ZonesResponse {
  'method'?: (string);
  'maxHeartRate'?: (number | string);
  'restingHeartRate'?: (number | string);
  'zones'?: (_pulsebase_v1_ZoneTime)[];
  'belowZonesSeconds'?: (number | string);
  'aboveZonesSeconds'?: (number | string);
  'totalSeconds'?: (number | string);
  'excludedGapSeconds'?: (number | string);
  'intervalCount'?: (number);
  'averageBpm'?: (number | string);
}

export interface ZonesResponse__Output {
  'method': (string);
  'maxHeartRate': (number);
  'restingHeartRate': (number);
  'zones': (_pulsebase_v1_ZoneTime__Output)[];
  'belowZonesSeconds': (number);
  'aboveZonesSeconds': (number);
  'totalSeconds': (number);
  'excludedGapSeconds': (number);
  'intervalCount': (number);
  'averageBpm': (number);
}
