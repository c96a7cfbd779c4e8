/**
 * Strings of companion services (Step-Video's caption/VAE server beside the torchrun ranks):
 * failure words (`codes`, rendered by shared/failures/describe.ts with `{{field}}` templates) and the
 * run view's chip and tab (`ui`, i18next `{{x}}`). Same keys in en and zh (a test checks).
 */
export const companion = {
  en: {
    codes: {
      COMPANION_PORT_IN_USE: {
        title: 'Port {{port}} is taken: the {{name}} server cannot start',
        explanation:
          'The {{name}} server must listen on port {{port}} because the ranks\' client has that port written into its code (Step-Video\'s call_api_gen uses 8080; only the host comes from --vae_url/--caption_url). Another process already listens there[[ (pid {{holderPid}}: {{holder}})]], so nothing was started.',
        fix: 'Stop whatever holds port {{port}} (often a caption/VAE server left from an earlier run: `lal runs --reap`, or `ss -ltnp "sport = :{{port}}"` shows who), then run again.',
      },
      COMPANION_NOT_READY: {
        title: 'The {{name}} server was not ready after {{seconds}} s',
        explanation: 'The launcher started the {{name}} server first and waited {{seconds}} s for it to answer on {{host}}:{{port}}; it never did, so the ranks were never started. Loading the text encoders and the VAE can take minutes on a slow disk.',
        fix: 'Read its log ({{log}}) for what it was doing. If it was still loading, allow more time (--set ready_timeout_sec=600); if it hangs, check its GPU has room for the text encoders and the VAE.',
      },
      COMPANION_EXITED_EARLY: {
        title: 'The {{name}} server exited before it was ready (exit {{exitCode}})',
        explanation: 'The {{name}} server stopped while starting, so the ranks were never started. Its last words: {{lastLine}}',
        fix: 'Fix what its log ({{log}}) says (a wrong model folder, no free GPU memory, a missing package), then run again.',
      },
      COMPANION_DIED: {
        title: 'The {{name}} server died during the run (exit {{exitCode}})',
        explanation: 'The {{name}} server on {{host}}:{{port}} exited while the ranks were running[[ at {{at}}]]. Ranks that then asked it for captions or a VAE decode got "connection refused" and failed; that, not NCCL, ended the run.',
        fix: 'Read its log ({{log}}): an out-of-memory on its GPU or a crash in the VAE decode are the usual causes. Give it a GPU of its own with room for the text encoders and the VAE, then run again.',
      },
      COMPANION_UNHEALTHY: {
        title: 'The {{name}} server stopped answering during the run',
        explanation: 'The {{name}} server process was still alive, but {{host}}:{{port}} stopped answering the launcher\'s probe while the ranks were running. Ranks that then asked it for captions or a VAE decode could not reach it; that, not NCCL, ended the run.',
        fix: 'Read its log ({{log}}) for what it was doing when it went quiet (a deadlock, a hung GPU, a closed socket). Restart it with the run; if it happens again, give it a GPU of its own.',
      },
      COMPANION_UNREACHABLE: {
        title: 'The caption/VAE server is not running ({{host}}:{{port}})',
        explanation: '{{who}} asked the caption/VAE server at {{host}}:{{port}} and the connection was refused: nothing listens there. Step-Video\'s ranks need that server (api/call_remote_server.py) running before torchrun starts, on the port their client hard-codes.',
        fix: 'Start the caption/VAE server first, on its own GPU, and wait until it serves (the launcher does this when you run the step-video recipes), then run again.',
      },
      COMPANION_SLOW: {
        title: 'The {{name}} server was too slow: ranks timed out waiting for it',
        explanation:
          'The ranks ask the {{name}} server for captions before their first all-to-all, and it answers one request at a time. It was busy for {{busySec}} s[[ with {{open}} requests open]][[ (its slowest answer took {{slowestSec}} s)]], so the ranks that were answered first waited in the collective for the others until the timeout[[ of {{timeout}}]] fired. The collective timeout is a consequence; the server is the cause, not NCCL.',
        fix: 'Give the server a GPU of its own and nothing else to do, or raise the collective timeout so the ranks can wait for it. Its log ({{log}}) shows each request.',
      },
    },
    ui: {
      tab: 'Server: {{name}}',
      chip: '{{name}}: {{state}}',
      port: 'port {{port}}',
      state: { starting: 'starting', ready: 'ready', unhealthy: 'not answering', exited: 'exited', failed: 'failed to start', stopped: 'stopped' },
      empty: 'No output from {{name}} yet.',
    },
    cli: {
      state: '{{name}} server (port {{port}}): {{state}}{{detail}}',
    },
  },
  zh: {
    codes: {
      COMPANION_PORT_IN_USE: {
        title: '端口 {{port}} 已被占用：{{name}} 服务无法启动',
        explanation:
          '{{name}} 服务必须监听端口 {{port}}，因为各进程的客户端在代码里写死了这个端口（Step-Video 的 call_api_gen 用 8080，--vae_url/--caption_url 只给主机名）。已有其他进程在监听该端口[[（pid {{holderPid}}：{{holder}}）]]，所以什么都没有启动。',
        fix: '停掉占用端口 {{port}} 的进程（常见的是上一次运行留下的文本编码/VAE 服务：`lal runs --reap`，或用 `ss -ltnp "sport = :{{port}}"` 查看是谁），然后重新运行。',
      },
      COMPANION_NOT_READY: {
        title: '{{name}} 服务在 {{seconds}} 秒后仍未就绪',
        explanation: '启动器先启动了 {{name}} 服务，并在 {{host}}:{{port}} 上等待了 {{seconds}} 秒，它一直没有应答，所以各进程都没有启动。磁盘较慢时，加载文本编码器和 VAE 可能需要几分钟。',
        fix: '查看它的日志（{{log}}）确认它在做什么。如果还在加载，请给更长时间（--set ready_timeout_sec=600）；如果卡住，检查它的 GPU 是否放得下文本编码器和 VAE。',
      },
      COMPANION_EXITED_EARLY: {
        title: '{{name}} 服务在就绪前退出（退出码 {{exitCode}}）',
        explanation: '{{name}} 服务在启动过程中停止了，所以各进程都没有启动。它最后的输出：{{lastLine}}',
        fix: '按它的日志（{{log}}）修复问题（模型目录不对、GPU 显存不够、缺少依赖包），然后重新运行。',
      },
      COMPANION_DIED: {
        title: '{{name}} 服务在运行中退出（退出码 {{exitCode}}）',
        explanation: '{{host}}:{{port}} 上的 {{name}} 服务在各进程运行期间退出了[[（{{at}}）]]。之后向它请求文本编码或 VAE 解码的进程收到"connection refused"而失败；结束这次运行的是它，不是 NCCL。',
        fix: '查看它的日志（{{log}}）：常见原因是它所在 GPU 显存不足或 VAE 解码时崩溃。给它一张单独的、放得下文本编码器和 VAE 的 GPU，然后重新运行。',
      },
      COMPANION_UNHEALTHY: {
        title: '{{name}} 服务在运行中停止应答',
        explanation: '{{name}} 服务进程仍然存在，但在各进程运行期间 {{host}}:{{port}} 不再应答启动器的探测。之后向它请求文本编码或 VAE 解码的进程连不上它；结束这次运行的是它，不是 NCCL。',
        fix: '查看它的日志（{{log}}），看它停止应答时在做什么（死锁、GPU 卡住、套接字被关闭）。随运行一起重启它；如果再次发生，给它一张单独的 GPU。',
      },
      COMPANION_UNREACHABLE: {
        title: '文本编码/VAE 服务没有运行（{{host}}:{{port}}）',
        explanation: '{{who}}向 {{host}}:{{port}} 上的文本编码/VAE 服务发请求，连接被拒绝：那里没有服务在监听。Step-Video 的各进程需要这个服务（api/call_remote_server.py）在 torchrun 之前启动，并监听客户端写死的端口。',
        fix: '先在单独的 GPU 上启动文本编码/VAE 服务，等它开始服务后再运行（用 step-video 配方运行时启动器会自动这样做）。',
      },
      COMPANION_SLOW: {
        title: '{{name}} 服务太慢：各进程等它等到超时',
        explanation:
          '各进程在第一次 all-to-all 之前向 {{name}} 服务请求文本编码，而它一次只处理一个请求。它忙了 {{busySec}} 秒[[，同时有 {{open}} 个请求未完成]][[（最慢的一次用了 {{slowestSec}} 秒）]]，先拿到结果的进程在集合通信里等其他进程，直到超时[[（{{timeout}}）]]触发。集合通信超时只是后果；原因是这个服务，不是 NCCL。',
        fix: '给这个服务一张单独、不做其他事情的 GPU，或者调大集合通信超时让各进程能等它。它的日志（{{log}}）记录了每个请求。',
      },
    },
    ui: {
      tab: '服务：{{name}}',
      chip: '{{name}}：{{state}}',
      port: '端口 {{port}}',
      state: { starting: '启动中', ready: '就绪', unhealthy: '无应答', exited: '已退出', failed: '启动失败', stopped: '已停止' },
      empty: '{{name}} 还没有输出。',
    },
    cli: {
      state: '{{name}} 服务（端口 {{port}}）：{{state}}{{detail}}',
    },
  },
};
