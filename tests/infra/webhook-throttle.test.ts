/**
 * The webhooks' own throttle in the HTTP API stage, and the optional firewall in front of
 * them: CloudFront carrying a web ACL (made in us-east-1) with a rate-based rule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTEXT, readSettings, WEBHOOK_FIREWALL_LIMIT } from '../../infra/config';
import { REPOSITORY_ROOT } from '../../infra/constructs/bundling';
import { type CrierApp, createCrierApp } from '../../infra/stacks/crier';
import { API_THROTTLE, functionEntries } from '../../infra/stacks/service-stack';
import { FIREWALL_RETRY_AFTER_SECONDS } from '../../infra/stacks/webhook-firewall-stack';
import { isWebhookRoute, WEBHOOK_THROTTLE } from '../../shared/resources';

const EXAMPLE_CONFIG = join(REPOSITORY_ROOT, 'config/channels.example.json');
const ASSEMBLIES = mkdtempSync(join(tmpdir(), 'crier-infra-'));
afterAll(() => rmSync(ASSEMBLIES, { recursive: true, force: true }));

function crier(context: Record<string, unknown> = {}): CrierApp {
  return createCrierApp(
    {
      outdir: mkdtempSync(join(ASSEMBLIES, 'cdk.out-')),
      context: { 'aws:cdk:bundling-stacks': [], stage: 'test', config: EXAMPLE_CONFIG, ...context },
      builtinCloudFormationValidation: false,
    },
    REPOSITORY_ROOT,
  );
}

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

const ROUTES = functionEntries().flatMap(([, d]) => d.routes ?? []);
const WEBHOOK_ROUTES = ROUTES.filter(isWebhookRoute);

function stageOf(template: Template): Resource {
  const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as Resource[];
  expect(stages).toHaveLength(1);
  return stages[0] as Resource;
}

describe('the webhook routes’ own throttle', () => {
  it('gives each webhook route its own bucket, and leaves the editor API on the stage default', () => {
    const service = Template.fromStack(crier().service);
    const stage = stageOf(service);
    expect(WEBHOOK_ROUTES.length).toBeGreaterThanOrEqual(6);
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: API_THROTTLE.rateLimit,
      ThrottlingBurstLimit: API_THROTTLE.burstLimit,
    });
    // Exactly the webhook routes, spelled as the routes' keys, in the template's casing.
    expect(stage.Properties.RouteSettings).toEqual(
      Object.fromEntries(
        WEBHOOK_ROUTES.map((route) => [
          route,
          {
            ThrottlingRateLimit: WEBHOOK_THROTTLE.rateLimit,
            ThrottlingBurstLimit: WEBHOOK_THROTTLE.burstLimit,
          },
        ]),
      ),
    );
    expect(WEBHOOK_THROTTLE.rateLimit).toBeLessThan(API_THROTTLE.rateLimit);
    expect(ROUTES.filter((r) => r.includes(' /api/')).some(isWebhookRoute)).toBe(false);
  });

  it('deploys the stage after the webhook routes its settings name', () => {
    const service = Template.fromStack(crier().service);
    const stage = stageOf(service);
    for (const route of WEBHOOK_ROUTES) {
      const [id] = Object.keys(
        service.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: route } }),
      );
      expect(id, route).toBeDefined();
      expect(stage.DependsOn, route).toContain(id);
    }
  });

  it('takes its rate and burst from the context, as `-c` strings or cdk.json numbers', () => {
    for (const [rate, burst] of [
      ['3', '6'],
      [2.5, 5],
    ] as const) {
      const stage = stageOf(
        Template.fromStack(crier({ webhookRateLimit: rate, webhookBurstLimit: burst }).service),
      );
      const settings = stage.Properties.RouteSettings as Record<string, Record<string, number>>;
      expect(settings['POST /webhooks/ghost']).toEqual({
        ThrottlingRateLimit: Number(rate),
        ThrottlingBurstLimit: Number(burst),
      });
    }
  });

  it('refuses a rate or burst that is not a number, not positive, or a burst under the rate', () => {
    expect(() => crier({ webhookRateLimit: 'lots' })).toThrow(
      /-c webhookRateLimit: must be a number/,
    );
    expect(() => crier({ webhookRateLimit: '0' })).toThrow(/-c webhookRateLimit: must be above 0/);
    expect(() => crier({ webhookBurstLimit: '2.5' })).toThrow(
      /-c webhookBurstLimit: must be a whole number/,
    );
    expect(() => crier({ webhookRateLimit: '40', webhookBurstLimit: '20' })).toThrow(
      /-c webhookBurstLimit: must be at least the rate \(40\)/,
    );
  });

  it('puts no CloudFront or web ACL in front of the webhooks unless asked', () => {
    const app = crier();
    expect(app.firewall).toBeUndefined();
    const service = Template.fromStack(app.service);
    // The editor UI's distribution only.
    service.resourceCountIs('AWS::CloudFront::Distribution', 1);
    service.resourceCountIs('Custom::CrossRegionExportReader', 0);
    const stacks = app.app.node.children.filter((child) => Stack.isStack(child));
    expect(stacks.map((stack) => stack.node.id).sort()).toEqual([
      'Crier-test-Service',
      'Crier-test-Stateful',
    ]);
  });
});

describe('the webhook firewall (-c webhookFirewall=true)', () => {
  const firewalled = (context: Record<string, unknown> = {}) =>
    crier({ webhookFirewall: 'true', region: 'eu-west-1', ...context });

  it('makes the web ACL in us-east-1 for CloudFront, with a per-address rate rule answering 429 and Retry-After', () => {
    const app = firewalled();
    expect(app.firewall?.region).toBe('us-east-1');
    expect(app.service.region).toBe('eu-west-1');
    expect(app.stateful.region).toBe('eu-west-1');
    const acl = Template.fromStack(app.firewall as NonNullable<CrierApp['firewall']>);
    acl.resourceCountIs('AWS::WAFv2::WebACL', 1);
    acl.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Statement: {
            RateBasedStatement: {
              Limit: WEBHOOK_FIREWALL_LIMIT,
              AggregateKeyType: 'IP',
              EvaluationWindowSec: 300,
            },
          },
          Action: {
            Block: {
              CustomResponse: Match.objectLike({
                ResponseCode: 429,
                ResponseHeaders: [
                  { Name: 'retry-after', Value: String(FIREWALL_RETRY_AFTER_SECONDS) },
                ],
              }),
            },
          },
          VisibilityConfig: Match.objectLike({ CloudWatchMetricsEnabled: true }),
        }),
      ],
    });
  });

  it('takes the per-address limit from the context', () => {
    const app = firewalled({ webhookFirewallLimit: '120' });
    Template.fromStack(app.firewall as NonNullable<CrierApp['firewall']>).hasResourceProperties(
      'AWS::WAFv2::WebACL',
      {
        Rules: [
          Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 120 }) } }),
        ],
      },
    );
    expect(() => firewalled({ webhookFirewallLimit: '5' })).toThrow(/-c webhookFirewallLimit/);
  });

  it('puts CloudFront with the ACL in front of /webhooks/* only, uncached, forwarding the signatures', () => {
    const app = firewalled();
    const service = Template.fromStack(app.service);
    service.resourceCountIs('AWS::CloudFront::Distribution', 2);
    const [edge] = Object.values(
      service.findResources('AWS::CloudFront::Distribution', {
        Properties: { DistributionConfig: { WebACLId: Match.anyValue() } },
      }),
    ) as Resource[];
    expect(edge).toBeDefined();
    const config = edge?.Properties.DistributionConfig as Record<string, unknown>;
    // The ACL's ARN comes from us-east-1 through the CDK's cross-region reader.
    expect(JSON.stringify(config.WebACLId)).toContain('ExportsReader');
    service.resourceCountIs('Custom::CrossRegionExportReader', 1);
    const behaviours = config.CacheBehaviors as Record<string, unknown>[];
    expect(behaviours).toHaveLength(1);
    expect(behaviours[0]).toMatchObject({
      PathPattern: '/webhooks/*',
      AllowedMethods: expect.arrayContaining(['POST']),
      ViewerProtocolPolicy: 'https-only',
      // CachingDisabled and AllViewerExceptHostHeader, CloudFront's managed policies.
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
    // The origin is the HTTP API's own endpoint, over TLS 1.2.
    const origins = config.Origins as Record<string, unknown>[];
    expect(origins).toHaveLength(1);
    expect(JSON.stringify(origins[0]?.DomainName)).toContain('.execute-api.eu-west-1.');
    expect(origins[0]?.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    // Anything but /webhooks/* is a 404 at the edge, never the editor API.
    const fallback = config.DefaultCacheBehavior as Record<string, unknown>;
    expect(fallback.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(fallback.FunctionAssociations).toEqual([
      expect.objectContaining({ EventType: 'viewer-request' }),
    ]);
    service.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: Match.stringLikeRegexp('statusCode: 404'),
    });
    // The CMS is told where to send through it.
    const outputs = service.findOutputs('*', {
      Description: Match.stringLikeRegexp('through CloudFront'),
    });
    expect(Object.keys(outputs)).toHaveLength(WEBHOOK_ROUTES.length);
  });

  it('keeps the route throttle behind the firewall', () => {
    const stage = stageOf(Template.fromStack(firewalled().service));
    expect(Object.keys(stage.Properties.RouteSettings as object).sort()).toEqual(
      [...WEBHOOK_ROUTES].sort(),
    );
  });

  it('works when the stage itself is in us-east-1', () => {
    const app = firewalled({ region: 'us-east-1' });
    const service = Template.fromStack(app.service);
    service.resourceCountIs('Custom::CrossRegionExportReader', 0);
    service.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::ImportValue': Match.anyValue() } }),
    });
  });

  it('refuses to synthesize without knowing the region, saying how to give it', () => {
    const app = new App({
      context: { stage: 'test', config: EXAMPLE_CONFIG, [CONTEXT.webhookFirewall]: 'true' },
    });
    expect(() => readSettings(app.node, REPOSITORY_ROOT, {})).toThrow(
      /webhookFirewall=true needs the stacks' region.*us-east-1.*AWS_REGION or add -c region=<region>/s,
    );
    expect(
      readSettings(app.node, REPOSITORY_ROOT, { AWS_REGION: 'ap-south-1' }).webhookFirewall,
    ).toEqual({ limit: WEBHOOK_FIREWALL_LIMIT, region: 'ap-south-1' });
    const badRegion = new App({ context: { config: EXAMPLE_CONFIG, region: 'Europe' } });
    expect(() => readSettings(badRegion.node, REPOSITORY_ROOT, {})).toThrow(
      /-c region: must be an AWS region/,
    );
  });
});
