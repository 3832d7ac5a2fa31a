/**
 * A user pool on a loopback port, speaking the AWS JSON 1.1 protocol the Cognito client
 * uses (`X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`), for the calls the
 * editor API makes: users, groups and their members, with Cognito's own error types. It
 * records each call as it came, so a test can see what reached Cognito.
 */
import {
  type AwsCall,
  type AwsOperations,
  AwsServiceError as PoolError,
  startAwsJsonServer,
} from './aws-json-server';

export type PoolCall = AwsCall;

type User = {
  username: string;
  attributes: { Name: string; Value: string }[];
  created: number;
  enabled: boolean;
};

export type CognitoPool = {
  url: string;
  calls: PoolCall[];
  users: Map<string, User>;
  /** group name -> its members' usernames */
  groups: Map<string, Set<string>>;
  /** makes the next call of an operation fail with this Cognito error type */
  failNext(operation: string, type: string): void;
  close(): Promise<void>;
};

export async function startCognitoPool(poolId: string): Promise<CognitoPool> {
  const users = new Map<string, User>();
  const groups = new Map<string, Set<string>>();
  const failures = new Map<string, string>();

  const userOf = (input: Record<string, unknown>): User => {
    const user = users.get(String(input.Username));
    if (!user) throw new PoolError('UserNotFoundException', 'User does not exist.');
    return user;
  };
  const groupOf = (name: unknown): Set<string> => {
    const group = groups.get(String(name));
    if (!group) throw new PoolError('ResourceNotFoundException', 'Group not found.');
    return group;
  };
  const userView = (user: User) => ({
    Username: user.username,
    Attributes: user.attributes,
    UserCreateDate: user.created / 1000,
    Enabled: user.enabled,
    UserStatus: 'FORCE_CHANGE_PASSWORD',
  });

  const operations: AwsOperations = {
    AdminCreateUser: (input) => {
      const username = String(input.Username);
      if (users.has(username)) throw new PoolError('UsernameExistsException', 'User exists.');
      const attributes = (input.UserAttributes ?? []) as User['attributes'];
      const email = attributes.find((a) => a.Name === 'email')?.Value;
      for (const other of users.values()) {
        if (email && other.attributes.some((a) => a.Name === 'email' && a.Value === email)) {
          throw new PoolError('AliasExistsException', 'An account with the email exists.');
        }
      }
      const user = { username, attributes, created: Date.now(), enabled: true };
      users.set(username, user);
      return { User: userView(user) };
    },
    AdminAddUserToGroup: (input) => {
      const user = userOf(input);
      groupOf(input.GroupName).add(user.username);
      return {};
    },
    CreateGroup: (input) => {
      const name = String(input.GroupName);
      if (groups.has(name)) throw new PoolError('GroupExistsException', 'Group exists.');
      groups.set(name, new Set());
      return { Group: { GroupName: name, UserPoolId: poolId } };
    },
    ListUsers: (input) => {
      // Pages of two, so the paging is exercised.
      const all = [...users.values()];
      const start = Number(input.PaginationToken ?? 0);
      const page = all.slice(start, start + 2);
      return {
        Users: page.map(userView),
        ...(start + 2 < all.length ? { PaginationToken: String(start + 2) } : {}),
      };
    },
    AdminListGroupsForUser: (input) => {
      const user = userOf(input);
      const names = [...groups].filter(([, members]) => members.has(user.username));
      return { Groups: names.map(([name]) => ({ GroupName: name, UserPoolId: poolId })) };
    },
    AdminGetUser: (input) => {
      const user = userOf(input);
      return {
        Username: user.username,
        UserAttributes: user.attributes,
        UserCreateDate: user.created / 1000,
        Enabled: user.enabled,
      };
    },
    AdminUserGlobalSignOut: (input) => {
      userOf(input);
      return {};
    },
    AdminDeleteUser: (input) => {
      const user = userOf(input);
      users.delete(user.username);
      for (const members of groups.values()) members.delete(user.username);
      return {};
    },
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'AWSCognitoIdentityProviderService',
    operations,
    internalError: 'InternalErrorException',
    before: (operation, input) => {
      const failure = failures.get(operation);
      if (failure) {
        failures.delete(operation);
        throw new PoolError(failure, `${operation} failed`);
      }
      if (input.UserPoolId !== poolId) {
        throw new PoolError('ResourceNotFoundException', 'User pool does not exist.');
      }
    },
  });
  return {
    url: server.url,
    calls: server.calls,
    users,
    groups,
    failNext: (operation, type) => failures.set(operation, type),
    close: () => server.close(),
  };
}
