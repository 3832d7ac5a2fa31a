/**
 * The editor UI in AWS: the esbuild output in a private S3 bucket behind CloudFront
 * (origin access control), with the HTTP API as a second origin for `/api/*` on the
 * same domain, and the Cognito sign-in (hosted UI, code flow with PKCE) it redirects to.
 */
import { join } from 'node:path';
import {
  AssetHashType,
  Aws,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildEditorUiSync } from '../../web/build';
import { CACHE_CONTROL, contentSecurityPolicy } from '../../web/hosting';
import type { RuntimeConfig } from '../../web/src/runtime-config';
import { REPOSITORY_ROOT } from './bundling';

export type EditorUiProps = {
  stage: string;
  api: apigwv2.IHttpApi;
  userPool: cognito.IUserPool;
  removalPolicy: RemovalPolicy;
};

/** The UI's own files: `/assets/*` keep forever under their hashed names, the rest never. */
const ASSETS = 'assets/*';

export class EditorUi extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** the public client the UI signs in with (code flow with PKCE, no secret) */
  readonly client: cognito.UserPoolClient;
  readonly signIn: cognito.UserPoolDomain;
  /** `https://<distribution>.cloudfront.net` */
  readonly url: string;

  constructor(scope: Construct, id: string, props: EditorUiProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // The deployments below empty it when they are deleted (retainOnDelete: false).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'No server access logs: the bucket holds only the editor UI build (public code from this repository, replaced on every deploy), is private (no public access, SSL only) and is read only by CloudFront through origin access control.',
    });

    // Prefixes are global per region: the account keeps two deployments apart.
    this.signIn = new cognito.UserPoolDomain(this, 'SignIn', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: `crier-${props.stage}-${Aws.ACCOUNT_ID}` },
    });
    const signInUrl = this.signIn.baseUrl();

    const pageHeaders = new cloudfront.ResponseHeadersPolicy(this, 'PageHeaders', {
      comment: `Crier ${props.stage}: the editor UI's security headers`,
      securityHeadersBehavior: {
        // Only the sign-in's token endpoint besides the API on this origin.
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy({ connect: [signInUrl] }),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });

    // `/api/*` goes to the HTTP API's own endpoint: no caching, every viewer header but
    // Host (API Gateway answers only to its own name), so the Authorization header reaches
    // the JWT authorizer; CloudFront forwards it only with caching disabled.
    const api = new origins.HttpOrigin(
      `${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
      {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      },
    );

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Crier ${props.stage}: the editor UI, and the editor API on the same origin`,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: pageHeaders,
        compress: true,
      },
      additionalBehaviors: {
        '/api/*': {
          origin: api,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
          compress: true,
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    const acknowledge = (rule: string, reason: string) =>
      Validations.of(this.distribution).acknowledge({ id: `AwsSolutions-${rule}`, reason });
    acknowledge(
      'CFR1',
      'No geo restriction: a newsroom edits from wherever its editors are, and every request to /api needs a Cognito token.',
    );
    acknowledge(
      'CFR2',
      'No WAF: the static UI holds no data, and the API behind /api is throttled by API Gateway and refuses any request without a valid Cognito token; a web ACL would cost more than a newsroom tool warrants. Add one in front if the newsroom has one.',
    );
    acknowledge(
      'CFR3',
      "No CloudFront access logs: the API's requests are logged by API Gateway's own access log (route, status, authorizer error), and the static UI's requests carry nothing worth keeping.",
    );
    acknowledge(
      'CFR4',
      "The distribution uses CloudFront's default certificate (*.cloudfront.net), whose security policy CloudFront fixes; the viewer policy asks TLSv1.2_2021 and applies as soon as a custom domain and certificate are added.",
    );

    this.client = new cognito.UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: `crier-${props.stage}-editor-web`,
      // A browser keeps no secret: the code flow with PKCE instead.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${this.url}/`],
        logoutUrls: [`${this.url}/`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
    });

    // Our own role and log group rather than the default role's AWS-managed policy.
    const logGroup = new logs.LogGroup(this, 'DeployLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy,
    });
    const role = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: "Copies the editor UI's build into its bucket and invalidates CloudFront",
    });
    logGroup.grantWrite(role);

    const build = s3deploy.Source.asset(join(REPOSITORY_ROOT, 'web'), {
      // The bundle also holds shared/ (the networks' counting): hash what esbuild made.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never used: local bundling always succeeds or throws.
        image: DockerImage.fromRegistry('scratch'),
        local: {
          tryBundle(outputDir) {
            buildEditorUiSync(outputDir);
            return true;
          },
        },
      },
    });
    const runtimeConfig: RuntimeConfig = {
      auth: { mode: 'cognito', domain: signInUrl, clientId: this.client.userPoolClientId },
    };
    const common = {
      destinationBucket: this.bucket,
      role,
      logGroup,
      retainOnDelete: false,
      memoryLimit: 256,
    };
    const assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      ...common,
      sources: [build],
      exclude: ['*'],
      include: [ASSETS],
      // Pages still open may ask for the previous build's assets.
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(CACHE_CONTROL.asset)],
    });
    const pages = new s3deploy.BucketDeployment(this, 'DeployPages', {
      ...common,
      sources: [build, s3deploy.Source.jsonData('config.json', runtimeConfig)],
      exclude: [ASSETS],
      cacheControl: [s3deploy.CacheControl.fromString(CACHE_CONTROL.page)],
      distribution: this.distribution,
      distributionPaths: ['/', '/index.html', '/config.json'],
    });
    // index.html names the new assets: they are in place before it.
    pages.node.addDependency(assets);
    acknowledgeDeployment(pages, this.bucket);
  }
}

/** A stack's account or region as cdk-nag spells it: the pseudo parameter, or the value set. */
function nagText(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? `<${pseudo}>` : value;
}

/**
 * The CDK's deployment function (one for both deployments) copies from the CDK asset
 * bucket to ours and invalidates the distribution: what it needs, acknowledged one by one.
 */
function acknowledgeDeployment(deployment: s3deploy.BucketDeployment, bucket: s3.IBucket): void {
  const stack = Stack.of(deployment);
  const bucketArn = stack.resolve(bucket.bucketArn) as { 'Fn::GetAtt': [string, string] };
  const logicalId = bucketArn['Fn::GetAtt'][0];
  const role = deployment.handlerRole;
  const reasons: [string, string][] = [
    [
      `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/*]`,
      "The deployment writes and prunes the editor UI's files, whose names change with every build, in the UI's own bucket only.",
    ],
    [
      `AwsSolutions-IAM5[Resource::arn:${nagText(stack.partition, 'AWS::Partition')}:s3:::cdk-hnb659fds-assets-${nagText(stack.account, 'AWS::AccountId')}-${nagText(stack.region, 'AWS::Region')}/*]`,
      "The deployment reads the UI build from the CDK bootstrap's asset bucket, where `cdk deploy` uploaded it under a content-hash name.",
    ],
    [
      'AwsSolutions-IAM5[Resource::*]',
      'CloudFront invalidations (cloudfront:CreateInvalidation, cloudfront:GetInvalidation) are granted by the CDK deployment on every distribution: the invalidated distribution is named in the request.',
    ],
  ];
  for (const action of [
    's3:GetObject*',
    's3:GetBucket*',
    's3:List*',
    's3:DeleteObject*',
    's3:Abort*',
  ]) {
    reasons.push([
      `AwsSolutions-IAM5[Action::${action}]`,
      `${action} comes with the CDK deployment's bucket grants: reading the build from the CDK asset bucket and syncing (with pruning) into the UI's own bucket, no other bucket.`,
    ]);
  }
  for (const [id, reason] of reasons) Validations.of(role).acknowledge({ id, reason });
  const handler = stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (handler) {
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "The CDK's BucketDeployment function runs on the Python runtime the CDK chooses and ships with it; it runs only during a deploy and is updated with aws-cdk-lib.",
    });
    for (const [id, reason] of [
      [
        'Serverless-LambdaDLQ',
        'A CloudFormation custom resource: CloudFormation calls it synchronously and fails the deploy on an error, so there is no asynchronous event to dead-letter.',
      ],
      [
        'Serverless-LambdaLatestVersion',
        "The CDK's BucketDeployment function runs on the runtime the CDK chooses and ships with it; it is updated with aws-cdk-lib.",
      ],
      [
        'Serverless-LambdaTracing',
        "The CDK's BucketDeployment function is the CDK's own and runs only during a deploy: there is no request of Crier's to trace through it.",
      ],
    ] as const) {
      Validations.of(handler).acknowledge({ id, reason });
    }
  }
}
