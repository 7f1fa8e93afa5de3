import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AccountClient as _pulsebase_v1_AccountClient, AccountDefinition as _pulsebase_v1_AccountDefinition } from './pulsebase/v1/Account.js';
import type { WhoAmIRequest as _pulsebase_v1_WhoAmIRequest, WhoAmIRequest__Output as _pulsebase_v1_WhoAmIRequest__Output } from './pulsebase/v1/WhoAmIRequest.js';
import type { WhoAmIResponse as _pulsebase_v1_WhoAmIResponse, WhoAmIResponse__Output as _pulsebase_v1_WhoAmIResponse__Output } from './pulsebase/v1/WhoAmIResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  pulsebase: {
    v1: {
      Account: SubtypeConstructor<typeof grpc.Client, _pulsebase_v1_AccountClient> & { service: _pulsebase_v1_AccountDefinition }
      WhoAmIRequest: MessageTypeDefinition<_pulsebase_v1_WhoAmIRequest, _pulsebase_v1_WhoAmIRequest__Output>
      WhoAmIResponse: MessageTypeDefinition<_pulsebase_v1_WhoAmIResponse, _pulsebase_v1_WhoAmIResponse__Output>
    }
  }
}

