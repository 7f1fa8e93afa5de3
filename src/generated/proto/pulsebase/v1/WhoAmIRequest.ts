// Original file: proto/pulsebase/v1/account.proto


export interface WhoAmIRequest {
}

export interface WhoAmIRequest__Output {
}
