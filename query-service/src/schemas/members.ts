import { Type } from '@sinclair/typebox';
import { Uuid } from './common.js';

export const MemberView = Type.Object(
  {
    userId: Uuid,
    email: Type.String(),
    name: Type.String(),
    role: Type.String({ examples: ['owner', 'admin', 'member', 'auditor', 'integrator'] }),
  },
  { $id: 'Member' },
);
