/**
 * The reference grammar of distribution/reference (regexp.go), as JavaScript
 * regular expressions. Go's RE2 picks leftmost-first matches like a
 * backtracking engine does, so captures agree with Go's for these patterns.
 *
 *   reference     := name [ ":" tag ] [ "@" digest ]
 *   name          := [domain '/'] remote-name
 *   domain        := host [':' port-number]
 *   host          := domain-name | IPv4address | \[ IPv6address \]
 *   remote-name   := path-component ['/' path-component]*
 *   path-component:= alpha-numeric [separator alpha-numeric]*
 *   separator     := /[_.]|__|[-]+/
 *   tag           := /[\w][\w.-]{0,127}/
 *   digest        := algorithm ":" hex (32 or more)
 */

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

export const tagPattern = '[\\w][\\w.-]{0,127}';
export const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';

/** Whole reference: captures name, tag, digest. */
export const referenceRegexp = new RegExp(`^(${namePat})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
/** A name: captures domain (possibly undefined) and remote name. */
export const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
export const anchoredTagRegexp = new RegExp(`^${tagPattern}$`);
export const anchoredDigestRegexp = new RegExp(`^${digestPattern}$`);
export const anchoredDomainRegexp = new RegExp(`^${domainAndPort}$`);
export const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;

/** distribution/reference's RepositoryNameTotalLengthMax, applied to the path. */
export const NAME_TOTAL_LENGTH_MAX = 255;
