/**
 * The editor UI in the service stack: a private bucket behind CloudFront (origin access
 * control), the HTTP API as the `/api/*` origin on the same domain, the esbuild output
 * deployed with the right caching, and the Cognito sign-in it redirects to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../infra/constructs/bundling';
import { type CrierApp, createCrierApp } from '../../infra/stacks/crier';
import { CACHE_CONTROL } from '../../web/hosting';

const ASSEMBLIES = mkdtempSync(join(tmpdir(), 'crier-infra-ui-'));
afterAll(() => rmSync(ASSEMBLIES, { recursive: true, force: true }));

type Resource = { Type: string; Properties: Record<string, unknown> };
type Behavior = Record<string, unknown> & { PathPattern?: string };

const logicalId = (construct: IConstruct): string => {
  const child = construct.node.defaultChild;
  if (!child) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(child as CfnElement);
};
const refersTo = (value: unknown, id: string): boolean => JSON.stringify(value).includes(id);
const managedId = (policy: { cachePolicyId?: string; originRequestPolicyId?: string }) =>
  policy.cachePolicyId ?? policy.originRequestPolicyId;

let crierApp: CrierApp;
let service: Template;
let distribution: Resource;
let config: Record<string, unknown>;

beforeAll(() => {
  crierApp = createCrierApp(
    {
      outdir: mkdtempSync(join(ASSEMBLIES, 'cdk.out-')),
      context: {
        'aws:cdk:bundling-stacks': [],
        stage: 'test',
        config: join(REPOSITORY_ROOT, 'config/channels.example.json'),
      },
      builtinCloudFormationValidation: false,
    },
    REPOSITORY_ROOT,
  );
  service = Template.fromStack(crierApp.service);
  const distributions = Object.values(
    service.findResources('AWS::CloudFront::Distribution'),
  ) as Resource[];
  expect(distributions).toHaveLength(1);
  distribution = distributions[0] as Resource;
  config = distribution.Properties.DistributionConfig as Record<string, unknown>;
});

describe('the editor UI in AWS', () => {
  it('keeps the build in a private, encrypted, SSL-only bucket that only this distribution reads', () => {
    const { bucket } = crierApp.service.editorUi;
    const [, resource] = Object.entries(service.findResources('AWS::S3::Bucket')).find(
      ([id]) => id === logicalId(bucket),
    ) as [string, Resource];
    expect(resource.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    const [policy] = Object.values(
      service.findResources('AWS::S3::BucketPolicy', {
        Properties: { Bucket: { Ref: logicalId(bucket) } },
      }),
    ) as Resource[];
    if (!policy) throw new Error('the UI bucket has no policy');
    const statements = (policy.Properties.PolicyDocument as { Statement: Behavior[] }).Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: 's3:GetObject',
          Principal: { Service: 'cloudfront.amazonaws.com' },
        }),
      ]),
    );
    // Read by this distribution only (origin access control, not a public read).
    const reads = statements.filter((s) => s.Effect === 'Allow');
    expect(reads).toHaveLength(1);
    expect(refersTo(reads[0]?.Condition, logicalId(crierApp.service.editorUi.distribution))).toBe(
      true,
    );
    const origins = config.Origins as Record<string, unknown>[];
    const s3Origin = origins.find((o) => refersTo(o.DomainName, logicalId(bucket)));
    expect(s3Origin?.OriginAccessControlId).toBeDefined();
    service.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
  });

  it('serves the UI over HTTPS with index.html at the root and its security headers', () => {
    expect(config.DefaultRootObject).toBe('index.html');
    const defaults = config.DefaultCacheBehavior as Behavior;
    expect(defaults).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      Compress: true,
    });
    const [, headers] = Object.entries(
      service.findResources('AWS::CloudFront::ResponseHeadersPolicy'),
    ).find(([id]) => refersTo(defaults.ResponseHeadersPolicyId, id)) as [string, Resource];
    const security = (
      headers.Properties.ResponseHeadersPolicyConfig as {
        SecurityHeadersConfig: Record<string, Record<string, unknown>>;
      }
    ).SecurityHeadersConfig;
    expect(security.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    expect(security.ContentTypeOptions).toMatchObject({ Override: true });
    expect(security.StrictTransportSecurity).toMatchObject({ Override: true });
    const csp = JSON.stringify(security.ContentSecurityPolicy?.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // API calls to the page's own origin, and the sign-in's token endpoint.
    expect(csp).toMatch(/connect-src 'self' https:\/\//);
    expect(refersTo(csp, logicalId(crierApp.service.editorUi.signIn))).toBe(true);
  });

  it('sends /api/* to the HTTP API, uncached, with every viewer header but Host', () => {
    const behaviors = config.CacheBehaviors as Behavior[];
    expect(behaviors.map((b) => b.PathPattern)).toEqual(['/api/*']);
    const api = behaviors[0] as Behavior;
    expect(api).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: expect.arrayContaining(['GET', 'PATCH', 'POST', 'OPTIONS']),
      // Caching disabled is what lets CloudFront forward the Authorization header.
      CachePolicyId: managedId(CachePolicy.CACHING_DISABLED),
      OriginRequestPolicyId: managedId(OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER),
    });
    const origin = (config.Origins as Record<string, unknown>[]).find(
      (o) => o.Id === api.TargetOriginId,
    );
    expect(origin?.CustomOriginConfig).toEqual({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    expect(refersTo(origin?.DomainName, logicalId(crierApp.service.api))).toBe(true);
    expect(JSON.stringify(origin?.DomainName)).toContain('.execute-api.');
  });

  it('deploys the esbuild output: hashed assets kept a year, pages never cached, then CloudFront invalidated', () => {
    const deployments = Object.values(
      service.findResources('Custom::CDKBucketDeployment'),
    ) as Resource[];
    expect(deployments).toHaveLength(2);
    const assets = deployments.find((d) => refersTo(d.Properties.Include, 'assets/*'));
    const pages = deployments.find((d) => refersTo(d.Properties.Exclude, 'assets/*'));
    expect(assets?.Properties).toMatchObject({
      Exclude: ['*'],
      Include: ['assets/*'],
      Prune: false,
      SystemMetadata: { 'cache-control': CACHE_CONTROL.asset },
    });
    expect(pages?.Properties).toMatchObject({
      Exclude: ['assets/*'],
      SystemMetadata: { 'cache-control': CACHE_CONTROL.page },
      DistributionPaths: ['/', '/index.html', '/config.json'],
    });
    expect(
      refersTo(pages?.Properties.DistributionId, logicalId(crierApp.service.editorUi.distribution)),
    ).toBe(true);
    // The same build in both; config.json names the sign-in and the client.
    const keys = (d?: Resource) => d?.Properties.SourceObjectKeys as string[];
    expect(keys(pages)).toEqual(expect.arrayContaining(keys(assets)));
    const markers = JSON.stringify(pages?.Properties.SourceMarkers);
    expect(refersTo(markers, logicalId(crierApp.service.editorUi.client))).toBe(true);
    expect(refersTo(markers, logicalId(crierApp.service.editorUi.signIn))).toBe(true);
  });

  it('signs editors in through Cognito with the code flow, back to the distribution, and lets the API take their tokens', () => {
    const { client } = crierApp.service.editorUi;
    const [, resource] = Object.entries(service.findResources('AWS::Cognito::UserPoolClient')).find(
      ([id]) => id === logicalId(client),
    ) as [string, Resource];
    expect(resource.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: expect.arrayContaining(['openid']),
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    const distributionId = logicalId(crierApp.service.editorUi.distribution);
    expect(refersTo(resource.Properties.CallbackURLs, distributionId)).toBe(true);
    expect(JSON.stringify(resource.Properties.CallbackURLs)).toContain('https://');
    service.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
    const [authorizer] = Object.values(
      service.findResources('AWS::ApiGatewayV2::Authorizer'),
    ) as Resource[];
    if (!authorizer) throw new Error('the API has no authorizer');
    const audience = (authorizer.Properties.JwtConfiguration as { Audience: unknown[] }).Audience;
    expect(audience).toHaveLength(2);
    expect(refersTo(audience, logicalId(client))).toBe(true);
  });

  it('outputs the UI address and the sign-in domain', () => {
    service.hasOutput('EditorUiUrl', {
      Value: { 'Fn::Join': ['', ['https://', Match.anyValue(), '/']] },
    });
    service.hasOutput('EditorSignInUrl', Match.anyValue());
  });
});
