// Original file: proto/pulsebase/v1/sensors.proto


export interface ChannelGroup {
  'name'?: (string);
  'values'?: (number | string)[];
}

export interface ChannelGroup__Output {
  'name': (string);
  'values': (number)[];
}
