import { describe, expect, it } from 'vitest';
import { renderKey } from '../../../shared/failures/template';

// CUDA_OOM's explanation has nested-free optional parts for gpu, requested, free/total, inUse, advice.
const oom = (fields: Record<string, string | number>, lang: 'en' | 'zh-CN' = 'en') => renderKey('failures', 'codes.CUDA_OOM.explanation', fields, lang);

describe('renderKey: catalog words through translate() with optional parts', () => {
  it('keeps an optional part only when its fields are given and non-empty', () => {
    const bare = oom({ who: 'Rank 1' });
    expect(bare).toMatch(/^Rank 1 ran out of GPU memory\./);
    expect(bare).not.toMatch(/\[\[|\]\]|\{\{/);
    expect(oom({ who: 'Rank 1', gpu: 3, requested: '2.00 GiB' })).toMatch(/^Rank 1 ran out of GPU memory on GPU 3: it asked for 2.00 GiB more\./);
    expect(oom({ who: 'Rank 1', gpu: '' })).not.toContain('on GPU');
  });

  it('a value from a hostile log is put in as text, never read as a placeholder or an optional part', () => {
    const text = oom({ who: 'Rank {{gpu}} [[x]]', gpu: '{{requested}}]]' });
    expect(text).toContain('Rank {{gpu}} [[x]] ran out of GPU memory on GPU {{requested}}]]');
  });

  it('speaks zh-CN from the same key', () => {
    expect(oom({ who: 'rank 1', gpu: 0 }, 'zh-CN')).toMatch(/rank 1/);
    expect(oom({ who: 'rank 1', gpu: 0 }, 'zh-CN')).toMatch(/[\u4e00-\u9fff]/);
  });
});
