// Original file: proto/pulsebase/v1/account.proto


export interface WhoAmIResponse {
  'userId'?: (string);
  'role'?: (string);
  'deviceId'?: (string);
}

export interface WhoAmIResponse__Output {
  'userId': (string);
  'role': (string);
  'deviceId': (string);
}
