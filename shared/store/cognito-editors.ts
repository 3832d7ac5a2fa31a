/**
 * The editors in AWS: Cognito users in the editors' user pool, their role a group
 * (`admin`, `editor`) and each site a group (`site:<id>`), the groups the editor API
 * reads from the token's `cognito:groups` claim (shared/http/editor-auth.ts). An editor
 * is invited by email and signs in with a temporary password; no token is made here.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminUserGlobalSignOutCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  CreateGroupCommand,
  type GroupType,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { EditorAccount, EditorAccounts, EditorRole, NewEditor } from '../domain/editor';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';

/** The group that gives an editor one site, as editor-auth.ts reads it. */
const SITE_GROUP = 'site:';

/** What the API shows as `createdBy` of a Cognito user: Cognito keeps no inviter (the audit does). */
export const COGNITO_CREATED_BY = 'cognito';

/**
 * A Cognito username: no white space, and not an email address (the pool signs in by
 * email as an alias, which forbids email-shaped usernames); at most 64 characters, so it
 * fits DELETE /api/editors/{id}.
 */
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,64}$/u;

const errorName = (error: unknown): string =>
  error && typeof error === 'object' && 'name' in error ? String(error.name) : '';

const attribute = (attributes: AttributeType[] | undefined, name: string) =>
  attributes?.find((a) => a.Name === name)?.Value;

export class CognitoEditorAccounts implements EditorAccounts {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  /**
   * Creates the user (Cognito emails the invitation with a temporary password), then
   * puts it in its role's group and each site's. A failure after the user exists deletes
   * it again, so a refused request leaves no half-made editor.
   */
  async createEditor(input: NewEditor, who: string): Promise<{ editor: EditorAccount }> {
    const issues = [
      ...(USERNAME.test(input.name) && !input.name.includes('@')
        ? []
        : [
            {
              field: 'name',
              message:
                'is the Cognito username: at most 64 characters, no spaces, not an email address',
            },
          ]),
      ...(input.email
        ? []
        : [{ field: 'email', message: 'is required: Cognito sends the invitation there' }]),
    ];
    if (issues.length) {
      throw new ValidationError(`Invalid ${issues.map((i) => i.field).join(', ')}`, issues);
    }
    let user: UserType | undefined;
    try {
      const made = await this.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: input.name,
          UserAttributes: [
            { Name: 'email', Value: input.email },
            // The admin vouches for the address; the invitation goes there.
            { Name: 'email_verified', Value: 'true' },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
      user = made.User;
    } catch (error) {
      const name = errorName(error);
      if (name === 'UsernameExistsException' || name === 'AliasExistsException') {
        throw new ConflictError(`An editor ${input.name} or with this email exists`, {
          cause: error,
        });
      }
      if (name === 'InvalidParameterException') {
        // Cognito's own wording stays in the log; the answer names the fields it checks.
        throw new ValidationError(
          'Cognito refused the name or the email',
          [
            { field: 'name', message: 'as a Cognito username' },
            { field: 'email', message: 'as a Cognito email address' },
          ],
          { cause: error },
        );
      }
      throw error;
    }
    try {
      for (const group of [input.role, ...input.sites.map((site) => `${SITE_GROUP}${site}`)]) {
        await this.addToGroup(input.name, group);
      }
    } catch (error) {
      await this.cognito.send(
        new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: input.name }),
      );
      throw error;
    }
    return {
      editor: {
        id: input.name,
        name: input.name,
        role: input.role,
        sites: [...input.sites],
        createdAt: (user?.UserCreateDate ?? new Date()).toISOString(),
        createdBy: who,
        ...(input.email ? { email: input.email } : {}),
      },
    };
  }

  /** A site made before its group was (a pool older than the site): the group is made now. */
  private async addToGroup(username: string, group: string): Promise<void> {
    const add = () =>
      this.cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: this.userPoolId,
          Username: username,
          GroupName: group,
        }),
      );
    try {
      await add();
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException' || !group.startsWith(SITE_GROUP)) {
        throw error;
      }
      await this.createGroup(group);
      await add();
    }
  }

  async listEditors(): Promise<EditorAccount[]> {
    const users: UserType[] = [];
    let token: string | undefined;
    do {
      const page = await this.cognito.send(
        new ListUsersCommand({ UserPoolId: this.userPoolId, PaginationToken: token }),
      );
      users.push(...(page.Users ?? []));
      token = page.PaginationToken;
    } while (token);
    const editors: EditorAccount[] = [];
    for (const user of users) {
      const username = user.Username ?? '';
      const editor = this.accountOf(username, user.Attributes, user.UserCreateDate, {
        groups: await this.groupsOf(username),
      });
      if (editor) editors.push(editor);
    }
    return editors.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** In AWS, API Gateway's JWT authorizer checks the caller: there are no local tokens. */
  async editorByToken(_token: string): Promise<EditorAccount | undefined> {
    return undefined;
  }

  /**
   * Signs the user out everywhere (its refresh tokens stop working) and deletes it. An
   * access token already issued lives on until it expires (an hour, the pool's setting).
   */
  async deleteEditor(editorId: string): Promise<EditorAccount> {
    let user: { attributes?: AttributeType[]; created?: Date };
    try {
      const found = await this.cognito.send(
        new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: editorId }),
      );
      user = { attributes: found.UserAttributes, created: found.UserCreateDate };
    } catch (error) {
      if (errorName(error) === 'UserNotFoundException') {
        throw new NotFoundError(`No editor ${editorId}`);
      }
      throw error;
    }
    const groups = await this.groupsOf(editorId);
    const editor = this.accountOf(editorId, user.attributes, user.created, { groups }) ?? {
      id: editorId,
      name: editorId,
      role: 'editor' as const,
      sites: [],
      createdAt: (user.created ?? new Date(0)).toISOString(),
      createdBy: COGNITO_CREATED_BY,
    };
    await this.cognito.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: this.userPoolId, Username: editorId }),
    );
    await this.cognito.send(
      new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: editorId }),
    );
    return editor;
  }

  async createSiteGroup(siteId: string): Promise<void> {
    await this.createGroup(`${SITE_GROUP}${siteId}`);
  }

  /** Makes the group; one that exists already is fine. */
  private async createGroup(group: string): Promise<void> {
    try {
      await this.cognito.send(
        new CreateGroupCommand({
          UserPoolId: this.userPoolId,
          GroupName: group,
          Description: `Editors of the site ${group.slice(SITE_GROUP.length)}`,
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'GroupExistsException') throw error;
    }
  }

  private async groupsOf(username: string): Promise<string[]> {
    const groups: GroupType[] = [];
    let token: string | undefined;
    do {
      const page = await this.cognito.send(
        new AdminListGroupsForUserCommand({
          UserPoolId: this.userPoolId,
          Username: username,
          NextToken: token,
        }),
      );
      groups.push(...(page.Groups ?? []));
      token = page.NextToken;
    } while (token);
    return groups.flatMap((g) => (g.GroupName ? [g.GroupName] : []));
  }

  /** The user as an editor; undefined for a user in neither role's group (not Crier's). */
  private accountOf(
    username: string,
    attributes: AttributeType[] | undefined,
    created: Date | undefined,
    { groups }: { groups: string[] },
  ): EditorAccount | undefined {
    const role: EditorRole | undefined = groups.includes('admin')
      ? 'admin'
      : groups.includes('editor')
        ? 'editor'
        : undefined;
    if (!role) return undefined;
    const email = attribute(attributes, 'email');
    return {
      id: username,
      name: username,
      role,
      sites: groups
        .filter((g) => g.startsWith(SITE_GROUP))
        .map((g) => g.slice(SITE_GROUP.length))
        .sort(),
      createdAt: (created ?? new Date(0)).toISOString(),
      createdBy: COGNITO_CREATED_BY,
      ...(email ? { email } : {}),
    };
  }
}
