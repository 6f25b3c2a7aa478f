#!/usr/bin/env python3
"""Summarizes `perf script` output: the share of samples whose stack contains each frame (inclusive) and whose top
frame it is (exclusive). .NET frames are shortened to Type::Method. Usage: fold-perf.py perf.txt [top-n]"""
import collections
import re
import sys


def simplify(symbol):
    symbol = re.sub(r'\[(OptimizedTier1|Optimized|Tier0|Tier1|QuickJitted|PreJIT|OptimizedTier1OSR)\]', '', symbol)
    match = re.search(r'([\w.`<>+|]+)::([\w<>|`.]+)\(', symbol)
    if match:
        return match.group(1).split('.')[-1] + '::' + match.group(2)
    return symbol.strip()[:100]


def samples(path):
    current = []
    for line in open(path, errors='replace'):
        line = line.rstrip('\n')
        if line.startswith(('\t', ' ')) and line.strip():
            parts = line.strip().split(' ', 1)
            if len(parts) == 2:
                current.append(simplify(re.sub(r'\s*\(\S+\)$', '', parts[1])))
        elif current:
            yield current
            current = []
    if current:
        yield current


def main():
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    inclusive, exclusive, total = collections.Counter(), collections.Counter(), 0
    for stack in samples(sys.argv[1]):
        total += 1
        exclusive[stack[0]] += 1
        for frame in set(stack):
            inclusive[frame] += 1
    print(f'{total} samples')
    print('== exclusive (top frame)')
    for frame, count in exclusive.most_common(top // 2):
        print(f'{100 * count / total:6.2f}%  {frame}')
    print('== inclusive (anywhere on the stack; native frames without symbols show as [unknown])')
    for frame, count in inclusive.most_common(top):
        print(f'{100 * count / total:6.2f}%  {frame}')


if __name__ == '__main__':
    main()
