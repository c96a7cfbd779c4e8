/** Strings of `lal serve` (access tokens). Keep en and zh with the same keys (a test checks). */
export const serve = {
  en: {
    tokenInArgv:
      '--token would put the access token in the process list, where any user of this machine can read it. Put it in the LAL_TOKEN environment variable, or in a file only you can read and pass --token-file FILE.',
    tokenShort: 'The access token is {{length}} characters; it must carry at least 128 bits: {{min}} or more random characters from A–Z a–z 0–9 . _ ~ - (for example: openssl rand -hex 32).',
    tokenCharset: 'The access token may only hold A–Z a–z 0–9 . _ ~ - so it can travel in a URL unescaped.',
    tokenWeak: 'The access token repeats a few characters; it must be random (for example: openssl rand -hex 32).',
    tokenFileUnreadable: 'Cannot read the token file {{file}}: {{error}}',
    tokenFileOpen: 'The token file {{file}} can be read by other users (mode {{mode}}). Run: chmod 600 {{file}}',
    tokenFileTooBig: 'The token file {{file}} is {{size}} bytes; a token file holds one line.',
    tokenTwoSources: 'Give the token either in LAL_TOKEN or with --token-file, not both.',
  },
  zh: {
    tokenInArgv: '--token 会把访问令牌放进进程列表，本机任何用户都能读到。请把它放在环境变量 LAL_TOKEN 中，或放在只有你能读的文件里并使用 --token-file FILE。',
    tokenShort: '访问令牌只有 {{length}} 个字符；它至少要有 128 位：{{min}} 个或更多随机字符，取自 A–Z a–z 0–9 . _ ~ -（例如：openssl rand -hex 32）。',
    tokenCharset: '访问令牌只能包含 A–Z a–z 0–9 . _ ~ -，这样它无需转义即可放进 URL。',
    tokenWeak: '访问令牌只重复了少数几个字符；它必须是随机的（例如：openssl rand -hex 32）。',
    tokenFileUnreadable: '无法读取令牌文件 {{file}}：{{error}}',
    tokenFileOpen: '令牌文件 {{file}} 可被其他用户读取（权限 {{mode}}）。请运行：chmod 600 {{file}}',
    tokenFileTooBig: '令牌文件 {{file}} 有 {{size}} 字节；令牌文件只应包含一行。',
    tokenTwoSources: '令牌请只用一种方式提供：LAL_TOKEN 或 --token-file，不要同时使用。',
  },
};
