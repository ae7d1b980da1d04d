/** RFC 7643 §4.1 / §8.7.1: the core User schema as data. */
import type { SchemaDefinition } from '../types';
import { attribute, deepFreeze, plainMultiValuedSubAttributes, USER_SCHEMA } from './common';

const nameSub = (name: string, description: string) => attribute(name, 'string', description);

export const USER_SCHEMA_DEFINITION: SchemaDefinition = deepFreeze({
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attribute(
      'userName',
      'string',
      'Unique identifier for the User, typically used by the user to directly authenticate to the service provider. ' +
        'Each User MUST include a non-empty userName value. Unique across the tenant, compared case-insensitively. REQUIRED.',
      { required: true, uniqueness: 'server' },
    ),
    attribute('name', 'complex', "The components of the user's real name.", {
      subAttributes: [
        nameSub(
          'formatted',
          'The full name, including all middle names, titles and suffixes, formatted for display.',
        ),
        nameSub('familyName', 'The family name of the User, or last name in most Western languages.'),
        nameSub('givenName', 'The given name of the User, or first name in most Western languages.'),
        nameSub('middleName', 'The middle name(s) of the User.'),
        nameSub(
          'honorificPrefix',
          "The honorific prefix(es) of the User, or title in most Western languages (e.g. 'Ms.').",
        ),
        nameSub(
          'honorificSuffix',
          "The honorific suffix(es) of the User, or suffix in most Western languages (e.g. 'III').",
        ),
      ],
    }),
    attribute('displayName', 'string', 'The name of the User, suitable for display to end-users.'),
    attribute('nickName', 'string', 'The casual way to address the user in real life.'),
    attribute(
      'profileUrl',
      'reference',
      "A fully qualified URL pointing to a page representing the User's online profile.",
      {
        referenceTypes: ['external'],
      },
    ),
    attribute('title', 'string', "The user's title, such as 'Vice President'."),
    attribute(
      'userType',
      'string',
      "Used to identify the relationship between the organization and the user (e.g. 'Employee').",
    ),
    attribute(
      'preferredLanguage',
      'string',
      "The User's preferred written or spoken language (e.g. 'en-US').",
    ),
    attribute('locale', 'string', "The User's default location for localisation (e.g. 'en-US')."),
    attribute(
      'timezone',
      'string',
      "The User's time zone in the IANA Time Zone database format (e.g. 'Europe/Paris').",
    ),
    attribute('active', 'boolean', "A Boolean value indicating the User's administrative status."),
    attribute(
      'password',
      'string',
      "The User's cleartext password, accepted on create and replace. Write-only: it is never returned.",
      { mutability: 'writeOnly', returned: 'never' },
    ),
    attribute('emails', 'complex', 'Email addresses for the user.', {
      multiValued: true,
      subAttributes: plainMultiValuedSubAttributes('email address', ['work', 'home', 'other']),
    }),
    attribute('phoneNumbers', 'complex', 'Phone numbers for the User.', {
      multiValued: true,
      subAttributes: plainMultiValuedSubAttributes('phone number', [
        'work',
        'home',
        'mobile',
        'fax',
        'pager',
        'other',
      ]),
    }),
    attribute('ims', 'complex', 'Instant messaging addresses for the User.', {
      multiValued: true,
      subAttributes: plainMultiValuedSubAttributes('instant messaging address', [
        'aim',
        'gtalk',
        'icq',
        'xmpp',
        'msn',
        'skype',
        'qq',
        'yahoo',
      ]),
    }),
    attribute('photos', 'complex', 'URLs of photos of the User.', {
      multiValued: true,
      subAttributes: plainMultiValuedSubAttributes('photo', ['photo', 'thumbnail'], 'reference', {
        referenceTypes: ['external'],
      }),
    }),
    attribute('addresses', 'complex', 'A physical mailing address for this User.', {
      multiValued: true,
      subAttributes: [
        attribute(
          'formatted',
          'string',
          'The full mailing address, formatted for display or use with a mailing label.',
        ),
        attribute(
          'streetAddress',
          'string',
          'The full street address component (house number, street name, P.O. box).',
        ),
        attribute('locality', 'string', 'The city or locality component.'),
        attribute('region', 'string', 'The state or region component.'),
        attribute('postalCode', 'string', 'The zip code or postal code component.'),
        attribute('country', 'string', 'The country name component (ISO 3166-1 alpha-2 code, e.g. "US").'),
        attribute('type', 'string', "A label indicating the address's function.", {
          canonicalValues: ['work', 'home', 'other'],
        }),
        attribute('primary', 'boolean', "A Boolean value indicating the 'primary' or preferred address."),
      ],
    }),
    attribute(
      'groups',
      'complex',
      'The groups the user belongs to (direct memberships). Read-only: change memberships through the Group ' +
        "resource. scimgate computes this attribute only when asked: it is returned only when listed in the 'attributes' parameter.",
      {
        multiValued: true,
        mutability: 'readOnly',
        returned: 'request',
        subAttributes: [
          attribute('value', 'string', "The identifier of the User's group.", { mutability: 'readOnly' }),
          attribute('$ref', 'reference', 'The URI of the corresponding Group resource.', {
            mutability: 'readOnly',
            referenceTypes: ['User', 'Group'],
          }),
          attribute('display', 'string', "A human-readable name, the group's displayName.", {
            mutability: 'readOnly',
          }),
          attribute(
            'type',
            'string',
            "A label indicating the membership's function: 'direct' or 'indirect'.",
            {
              mutability: 'readOnly',
              canonicalValues: ['direct', 'indirect'],
            },
          ),
        ],
      },
    ),
    attribute(
      'entitlements',
      'complex',
      'A list of entitlements for the User that represent a thing the User has.',
      {
        multiValued: true,
        subAttributes: plainMultiValuedSubAttributes('entitlement', undefined),
      },
    ),
    attribute(
      'roles',
      'complex',
      "A list of roles for the User that collectively represent who the User is (e.g. 'Student').",
      {
        multiValued: true,
        subAttributes: plainMultiValuedSubAttributes('role', undefined),
      },
    ),
    attribute('x509Certificates', 'complex', 'A list of certificates issued to the User.', {
      multiValued: true,
      subAttributes: plainMultiValuedSubAttributes('certificate', undefined, 'binary'),
    }),
  ],
});
