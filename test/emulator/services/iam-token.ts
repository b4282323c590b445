import { IamTokenServiceService } from '@yandex-cloud/nodejs-sdk/iam-v1/iam_token_service';
import { EmulatorError } from '../errors.js';
import { verifyServiceAccountJwt } from '../jwt.js';
import { defineService, type ServiceSpec } from '../rpc.js';
import type { World } from '../state.js';
import { invalid, maxLength } from '../validation.js';

/**
 * IamTokenService.Create (no token needed): exactly one of an OAuth token (seeded, accepted as the
 * fixture's user) or a service-account JWT (reference §3). A rejected credential is UNAUTHENTICATED,
 * a malformed request INVALID_ARGUMENT. Other methods are UNIMPLEMENTED.
 */
export function iamTokenService(world: World): ServiceSpec {
  return defineService(IamTokenServiceService, {
    create(_ctx, req) {
      const oauth = req.yandexPassportOauthToken;
      const jwt = req.jwt;
      const given = [oauth, jwt].filter((v) => v !== undefined && v !== '').length;
      if (given !== 1) throw invalid('identity', 'exactly one of yandex_passport_oauth_token or jwt must be set');
      let subjectId: string;
      if (oauth !== undefined && oauth !== '') {
        maxLength('yandex_passport_oauth_token', oauth, 4000);
        const user = world.oauthTokens.get(oauth);
        if (user === undefined) throw new EmulatorError('UNAUTHENTICATED', 'OAuth token is invalid or has expired');
        subjectId = user;
      } else {
        const token = jwt ?? '';
        maxLength('jwt', token, 8000);
        subjectId = verifyServiceAccountJwt(token, (kid) => {
          const key = world.authorizedKeys.get(kid);
          return key !== undefined && world.serviceAccounts.has(key.serviceAccountId) ? key : undefined;
        }, world.now());
      }
      if (world.subjectType(subjectId) === undefined) throw new EmulatorError('UNAUTHENTICATED', `Subject ${subjectId} not found`);
      const { token, expiresAt } = world.issueIamToken(subjectId);
      return { iamToken: token, expiresAt };
    },
  }, { publicMethods: ['create'] });
}
