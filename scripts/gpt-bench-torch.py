"""The GPT training benchmark's native reference: PyTorch CPU eager.

The same model and step as `webgrad bench-lm` (src/cli/bench-lm.ts): GPT-2's
architecture (token + position embeddings, pre-norm blocks: layer norm -> causal
self-attention with a fused q/k/v projection -> residual; layer norm -> GELU-tanh MLP
of 4 x width -> residual; final layer norm; output head tied to the token embedding),
vocab 65, context 64, 4 layers, 4 heads, width 128, batch 8, no dropout, sparse
cross-entropy on logits, Adam (lr 1e-3). Random token batches (the speed does not
depend on the text). Prints, for 1 and 2 threads, the median tokens/s over several
timings of `--steps` steps each (after warm-up steps), and tokens per CPU-second
(robust to a loaded machine; compare with scripts/gpt-profile.ts --threads 1 --cpu), as JSON.

Run: /usr/bin/python3 scripts/gpt-bench-torch.py [--steps 20] [--repeats 5]  (needs torch)
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument('--vocab', type=int, default=65)
parser.add_argument('--context', type=int, default=64)
parser.add_argument('--layers', type=int, default=4)
parser.add_argument('--heads', type=int, default=4)
parser.add_argument('--embed', type=int, default=128)
parser.add_argument('--batch-size', type=int, default=8)
parser.add_argument('--steps', type=int, default=20)
parser.add_argument('--repeats', type=int, default=5)
parser.add_argument('--threads', type=str, default='1,2')
args = parser.parse_args()


class Block(torch.nn.Module):
    def __init__(self, e, h):
        super().__init__()
        self.h = h
        self.ln_1 = torch.nn.LayerNorm(e, eps=1e-5)
        self.c_attn = torch.nn.Linear(e, 3 * e)
        self.c_proj = torch.nn.Linear(e, e)
        self.ln_2 = torch.nn.LayerNorm(e, eps=1e-5)
        self.c_fc = torch.nn.Linear(e, 4 * e)
        self.mlp_proj = torch.nn.Linear(4 * e, e)

    def forward(self, x):
        b, t, e = x.shape
        d = e // self.h
        q, k, v = self.c_attn(self.ln_1(x)).split(e, dim=-1)
        q, k, v = (z.view(b, t, self.h, d).transpose(1, 2) for z in (q, k, v))
        # PyTorch 1.13 has no fused scaled_dot_product_attention: the eager composition
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d))
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        scores = scores.masked_fill(~mask, float('-inf'))
        y = F.softmax(scores, dim=-1) @ v
        x = x + self.c_proj(y.transpose(1, 2).reshape(b, t, e))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate='tanh'))


class GPT(torch.nn.Module):
    def __init__(self, vocab, context, layers, heads, e):
        super().__init__()
        self.wte = torch.nn.Embedding(vocab, e)
        self.wpe = torch.nn.Embedding(context, e)
        self.h = torch.nn.ModuleList([Block(e, heads) for _ in range(layers)])
        self.ln_f = torch.nn.LayerNorm(e, eps=1e-5)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(t))
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.t()  # the tied head


def measure(threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = GPT(args.vocab, args.context, args.layers, args.heads, args.embed)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = args.batch_size * args.context
    batches = [torch.randint(0, args.vocab, (args.batch_size, args.context + 1)) for _ in range(8)]

    def step(i):
        ids = batches[i % len(batches)]
        logits = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(n, args.vocab), ids[:, 1:].reshape(n))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss

    for i in range(5):  # warm-up
        step(i)
    rates, cpu_rates = [], []
    for _ in range(args.repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        for i in range(args.steps):
            loss = step(i)
        loss.item()
        rates.append(args.steps * n / (time.perf_counter() - started))
        cpu_rates.append(args.steps * n / (time.process_time() - cpu_started))
    # On a shared machine the wall clock also counts the neighbours' time slices; the
    # process's CPU time does not (with one thread: tokens per CPU-second of that thread).
    return {'threads': threads, 'tokensPerSecondMedian': round(statistics.median(rates)),
            'tokensPerSecond': [round(r) for r in rates], 'msPerStepMedian': round(1000 * n / statistics.median(rates), 2),
            'tokensPerCpuSecondMedian': round(statistics.median(cpu_rates))}


runs = [measure(int(t)) for t in args.threads.split(',')]
print(json.dumps({
    'implementation': f'PyTorch {torch.__version__} CPU eager',
    'config': {'vocabSize': args.vocab, 'contextLength': args.context, 'numLayers': args.layers,
               'numHeads': args.heads, 'embedDim': args.embed, 'batchSize': args.batch_size},
    'steps': args.steps, 'repeats': args.repeats, 'runs': runs,
    'best': max(r['tokensPerSecondMedian'] for r in runs),
}))
