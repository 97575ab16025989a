;; Streaming per-layer metrics of one pair of raw dump chunks (hand-written WebAssembly).
;;
;; The same computation as PairAccumulator's JS kernels (accumulator-kernels.ts), fused with the
;; decode: raw little-endian bytes of both sides are decoded block by block (BLOCK elements) into two
;; small float64 scratch arrays that stay in L1 cache, and every running sum is then accumulated
;; with the SAME expressions in the SAME (index) order as the JS kernels, in float64 without fused
;; multiply-add (WebAssembly never contracts), so the numbers are bit-identical to PairAccumulator
;; and to the whole-array functions of pairwise.ts / counts.ts. SIMD never reorders a sum: the
;; products of two pairs are formed in float64x2 lanes, and two DIFFERENT sums share a vector
;; ($sumsFast), each still adding its terms pair by pair. Decode (float32), saturation counts, the
;; exact compare's pre-test and dequantization are SIMD too (order-free).
;;
;; One call, `run(job)`, processes one chunk; `job` is the byte address of a descriptor the JS side
;; (pair-kernel.ts, JOB_* offsets) writes before each call:
;;   f64 at +0  sA  +8 zA  +16 sB  +24 zB   dequantization x = (q - z) * s (1 and 0 for a plain side)
;;       at +32 loA +40 hiA +48 loB +56 hiB saturation limits of integer sides (raw values)
;;       at +64 off  flat index of the chunk's first element (as float64, exact below 2^53)
;;   i32 at +128 dtA  +132 dtB  dtype codes: 0 float32, 1 float64, 2 uint8, 3 int8, 4 uint16,
;;                                          5 int16, 6 int32
;;       at +136 flags: 1 exact raw compare, 2 per-row counts, 4 saturation of a, 8 saturation of b,
;;               16 dequantize a, 32 dequantize b (else the side is used as is: s = 1, z = 0)
;;       at +140 C (channels, last axis)  +144 rowLen  +148 rows
;;       at +152 left: target channels still constant (dead-channel tracking runs while > 0);
;;               updated by the call
;;       at +156 ra  +160 rb: raw chunk bytes of each side
;;       at +164 xa  +168 xb: float64 scratch of BLOCK (+4 slack) elements each
;;       at +172 st: state, float64: [0..14] running sums (layout of accumulator-kernels.ts
;;               STATE_SIZE), [15..18] saturation counts (a lo, a hi, b lo, b hi),
;;               [19] mismatches, [20] first mismatching flat index (-1 before any)
;;       at +176 fA +180 fB: float64 [C] first raw value per channel
;;       at +184 vA +188 vB: uint8 [C] channel-varies flags
;;       at +192 pc: float64 [C] mismatches per channel  +196 pr: float64 [rows] per row
;;       at +200 n: elements in this chunk   +204 offI: the chunk's flat offset as int32
;; The JS side guarantees offI + n < 2^31 (flat indices are int32 here) and that ra/rb hold
;; n elements plus 16 bytes of slack (the float32 decoder reads whole vectors).
(module
  (memory (export "memory") 1)

  (global $BLOCK i32 (i32.const 1024))

  ;; bytes per element of a dtype code
  (func $bytes (param $dt i32) (result i32)
    (i32.load8_u (i32.add (i32.const 0) (local.get $dt))))
  (data (i32.const 0) "\04\08\01\01\02\02\04\00")

  ;; Decodes n elements of dtype dt from byte address src into float64 at dst.
  (func $decode (param $dt i32) (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 3))))
    (block $i32 (block $i16 (block $u16 (block $i8 (block $u8 (block $f64 (block $f32
      (br_table $f32 $f64 $u8 $i8 $u16 $i16 $i32 (local.get $dt)))
      ;; float32: 4 per step (may write up to 3 elements past n: the scratch has slack)
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $dst) (local.get $end)))
        (local.set $v (v128.load align=1 (local.get $src)))
        (v128.store (local.get $dst) (f64x2.promote_low_f32x4 (local.get $v)))
        (v128.store offset=16 (local.get $dst)
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br $l)))
      (return))
    ;; float64
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $dst) (local.get $end)))
      (f64.store (local.get $dst) (f64.load align=1 (local.get $src)))
      (local.set $src (i32.add (local.get $src) (i32.const 8)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
      (br $l)))
    (return))
    ;; uint8
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $dst) (local.get $end)))
      (f64.store (local.get $dst) (f64.convert_i32_u (i32.load8_u (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 1)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
      (br $l)))
    (return))
    ;; int8
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $dst) (local.get $end)))
      (f64.store (local.get $dst) (f64.convert_i32_s (i32.load8_s (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 1)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
      (br $l)))
    (return))
    ;; uint16
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $dst) (local.get $end)))
      (f64.store (local.get $dst) (f64.convert_i32_u (i32.load16_u align=1 (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 2)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
      (br $l)))
    (return))
    ;; int16
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $dst) (local.get $end)))
      (f64.store (local.get $dst) (f64.convert_i32_s (i32.load16_s align=1 (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 2)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
      (br $l)))
    (return))
    ;; int32
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $dst) (local.get $end)))
      (f64.store (local.get $dst) (f64.convert_i32_s (i32.load align=1 (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
      (br $l))))

  ;; Saturation: counts raw values equal to lo into cnt[0] and equal to hi into cnt[1] (float64
  ;; counters). lo != hi for every integer dtype, so this equals the JS "if lo ... else if hi".
  ;; Two values per step; an odd last value is counted alone.
  (func $saturation (param $x i32) (param $n i32) (param $lo f64) (param $hi f64) (param $cnt i32)
    (local $end i32) (local $v v128) (local $vlo v128) (local $vhi v128) (local $cl v128) (local $ch v128) (local $q f64)
    (local.set $vlo (f64x2.splat (local.get $lo)))
    (local.set $vhi (f64x2.splat (local.get $hi)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $d (loop $lp
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $cl (i64x2.sub (local.get $cl) (f64x2.eq (local.get $v) (local.get $vlo))))
      (local.set $ch (i64x2.sub (local.get $ch) (f64x2.eq (local.get $v) (local.get $vhi))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $lp)))
    (local.set $cl (i64x2.add (local.get $cl) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $cl) (local.get $cl))))
    (local.set $ch (i64x2.add (local.get $ch) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $ch) (local.get $ch))))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $q (f64.load (local.get $x)))
        (local.set $cl (i64x2.add (local.get $cl) (i64x2.splat (i64.extend_i32_u (f64.eq (local.get $q) (local.get $lo))))))
        (local.set $ch (i64x2.add (local.get $ch) (i64x2.splat (i64.extend_i32_u (f64.eq (local.get $q) (local.get $hi))))))))
    (f64.store (local.get $cnt) (f64.add (f64.load (local.get $cnt)) (f64.convert_i64_u (i64x2.extract_lane 0 (local.get $cl)))))
    (f64.store offset=8 (local.get $cnt) (f64.add (f64.load offset=8 (local.get $cnt)) (f64.convert_i64_u (i64x2.extract_lane 0 (local.get $ch))))))

  ;; Dead-channel tracking (accumulator-kernels.ts trackChannels) on elements [0, n) of the
  ;; scratch whose first element has flat index idx0. Returns the target channels still constant.
  (func $track (param $xa i32) (param $xb i32) (param $n i32) (param $idx0 i32) (param $C i32)
               (param $fA i32) (param $fB i32) (param $vA i32) (param $vB i32) (param $left i32) (result i32)
    (local $i i32) (local $c i32) (local $o i32)
    ;; first value of each channel (flat index < C)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (br_if $d (i32.ge_u (i32.add (local.get $idx0) (local.get $i)) (local.get $C)))
      (local.set $o (i32.shl (i32.add (local.get $idx0) (local.get $i)) (i32.const 3)))
      (f64.store (i32.add (local.get $fA) (local.get $o)) (f64.load (i32.add (local.get $xa) (i32.shl (local.get $i) (i32.const 3)))))
      (f64.store (i32.add (local.get $fB) (local.get $o)) (f64.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.set $c (i32.rem_u (local.get $idx0) (local.get $C)))
    (local.set $i (i32.const 0))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (if (f64.ne (f64.load (i32.add (local.get $xa) (i32.shl (local.get $i) (i32.const 3))))
                  (f64.load (i32.add (local.get $fA) (i32.shl (local.get $c) (i32.const 3)))))
        (then (i32.store8 (i32.add (local.get $vA) (local.get $c)) (i32.const 1))))
      (if (f64.ne (f64.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 3))))
                  (f64.load (i32.add (local.get $fB) (i32.shl (local.get $c) (i32.const 3)))))
        (then
          (if (i32.eqz (i32.load8_u (i32.add (local.get $vB) (local.get $c))))
            (then
              (i32.store8 (i32.add (local.get $vB) (local.get $c)) (i32.const 1))
              (local.set $left (i32.sub (local.get $left) (i32.const 1)))
              (if (i32.eqz (local.get $left)) (then (return (i32.const 0))))))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (if (i32.eq (local.get $c) (local.get $C)) (then (local.set $c (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $left))

  ;; Exact raw compare (accumulator-kernels.ts compareRaw): st[19] += mismatches, st[20] = first
  ;; mismatching flat index, pc[idx % C]++, and with rowLen > 0, pr[(idx / rowLen) % rows]++.
  ;; Two values per test; a pair holding a mismatch is then handled element by element.
  (func $compare (param $xa i32) (param $xb i32) (param $n i32) (param $idx0 i32) (param $st i32)
                 (param $C i32) (param $pc i32) (param $pr i32) (param $rowLen i32) (param $rows i32)
    (local $i i32) (local $j i32) (local $je i32) (local $idx i32) (local $k i32) (local $a i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (if (v128.any_true (f64x2.ne (v128.load (i32.add (local.get $xa) (i32.shl (local.get $i) (i32.const 3))))
                                   (v128.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 3))))))
        (then
          (local.set $j (local.get $i))
          (local.set $je (select (local.get $n) (i32.add (local.get $i) (i32.const 2))
            (i32.lt_u (local.get $n) (i32.add (local.get $i) (i32.const 2)))))
          (block $dj (loop $lj
            (br_if $dj (i32.ge_u (local.get $j) (local.get $je)))
            (if (f64.ne (f64.load (i32.add (local.get $xa) (i32.shl (local.get $j) (i32.const 3))))
                        (f64.load (i32.add (local.get $xb) (i32.shl (local.get $j) (i32.const 3)))))
              (then
                (local.set $idx (i32.add (local.get $idx0) (local.get $j)))
                (if (f64.lt (f64.load offset=160 (local.get $st)) (f64.const 0))
                  (then (f64.store offset=160 (local.get $st) (f64.convert_i32_u (local.get $idx)))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (local.set $a (i32.add (local.get $pc) (i32.shl (i32.rem_u (local.get $idx) (local.get $C)) (i32.const 3))))
                (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.const 1)))
                (if (i32.gt_u (local.get $rowLen) (i32.const 0))
                  (then
                    (local.set $a (i32.add (local.get $pr)
                      (i32.shl (i32.rem_u (i32.div_u (local.get $idx) (local.get $rowLen)) (local.get $rows)) (i32.const 3))))
                    (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.const 1)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $lj)))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $l)))
    (f64.store offset=152 (local.get $st) (f64.add (f64.load offset=152 (local.get $st)) (f64.convert_i32_u (local.get $k)))))

  ;; The running sums (accumulator-kernels.ts accumulateSums, same expressions, same order) over
  ;; the DEQUANTIZED elements [0, n) (see $dequant) whose first element has flat index idx0
  ;; (float64). Returns the pairs skipped as non-finite.
  (func $sums (param $xa i32) (param $xb i32) (param $n i32) (param $idx0 f64) (param $st i32) (result i32)
    (local $i i32) (local $pa i32) (local $pb i32) (local $fin i32)
    (local $x f64) (local $y f64) (local $d f64) (local $ad f64) (local $h f64)
    (local $sab f64) (local $saa f64) (local $sbb f64) (local $sdd f64) (local $sad f64) (local $shh f64)
    (local $mx f64) (local $mi f64)
    (local.set $sab (f64.load offset=0 (local.get $st)))
    (local.set $saa (f64.load offset=8 (local.get $st)))
    (local.set $sbb (f64.load offset=16 (local.get $st)))
    (local.set $sdd (f64.load offset=24 (local.get $st)))
    (local.set $sad (f64.load offset=32 (local.get $st)))
    (local.set $shh (f64.load offset=40 (local.get $st)))
    (local.set $mx (f64.load offset=48 (local.get $st)))
    (local.set $mi (f64.load offset=56 (local.get $st)))
    (local.set $pa (local.get $xa))
    (local.set $pb (local.get $xb))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $x (f64.load (local.get $pa)))
      (local.set $y (f64.load (local.get $pb)))
      (local.set $d (f64.sub (local.get $x) (local.get $y)))
      ;; both finite: d - d == 0, or (x - y overflowed) each of x - x, y - y == 0
      (if (i32.or (f64.eq (f64.sub (local.get $d) (local.get $d)) (f64.const 0))
                  (i32.and (f64.eq (f64.sub (local.get $x) (local.get $x)) (f64.const 0))
                           (f64.eq (f64.sub (local.get $y) (local.get $y)) (f64.const 0))))
        (then
          (local.set $sab (f64.add (local.get $sab) (f64.mul (local.get $x) (local.get $y))))
          (local.set $saa (f64.add (local.get $saa) (f64.mul (local.get $x) (local.get $x))))
          (local.set $sbb (f64.add (local.get $sbb) (f64.mul (local.get $y) (local.get $y))))
          (local.set $sdd (f64.add (local.get $sdd) (f64.mul (local.get $d) (local.get $d))))
          (local.set $ad (f64.abs (local.get $d)))
          (local.set $sad (f64.add (local.get $sad) (local.get $ad)))
          (if (f64.gt (local.get $ad) (local.get $mx))
            (then
              (local.set $mx (local.get $ad))
              (local.set $mi (f64.add (local.get $idx0) (f64.convert_i32_u (local.get $i))))))
          (local.set $h (f64.mul (f64.add (local.get $x) (local.get $y)) (f64.const 0.5)))
          (local.set $shh (f64.add (local.get $shh) (f64.mul (local.get $h) (local.get $h))))
          (local.set $fin (i32.add (local.get $fin) (i32.const 1)))))
      (local.set $pa (i32.add (local.get $pa) (i32.const 8)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (f64.store offset=0 (local.get $st) (local.get $sab))
    (f64.store offset=8 (local.get $st) (local.get $saa))
    (f64.store offset=16 (local.get $st) (local.get $sbb))
    (f64.store offset=24 (local.get $st) (local.get $sdd))
    (f64.store offset=32 (local.get $st) (local.get $sad))
    (f64.store offset=40 (local.get $st) (local.get $shh))
    (f64.store offset=48 (local.get $st) (local.get $mx))
    (f64.store offset=56 (local.get $st) (local.get $mi))
    (f64.store offset=64 (local.get $st) (f64.add (f64.load offset=64 (local.get $st)) (f64.convert_i32_u (local.get $fin))))
    (i32.sub (local.get $n) (local.get $fin)))

;; Fast path of $sums for a block of n2 (even) dequantized pairs that are ALL finite: the same
  ;; products in float64x2 lanes (two pairs per step), each running sum still accumulated pair by
  ;; pair in index order (two sums share a vector: (sab, saa), (sbb, sdd), (sad, shh), i.e. the
  ;; state layout), so the result is bit-identical to $sums. Finiteness is checked once, after the
  ;; block: saa and sbb only grow by squares, so they are finite afterwards only if every x and y
  ;; was (a finite-value overflow also fails the test and merely takes the exact path). The block
  ;; max of |d| is found in lanes; only when it beats the running max is the block rescanned for
  ;; the first index reaching it. Returns 0 and leaves the state untouched when the test fails.
  (func $sumsFast (param $xa i32) (param $xb i32) (param $n2 i32) (param $idx0 f64) (param $st i32) (result i32)
    (local $i i32) (local $end i32) (local $pb i32)
    (local $X v128) (local $Y v128) (local $D v128) (local $H v128) (local $AD v128) (local $P v128) (local $Q v128)
    (local $M v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $half v128)
    (local $ad f64) (local $mx f64) (local $mi f64) (local $saa f64) (local $sbb f64)
    (local.set $half (f64x2.splat (f64.const 0.5)))
    (local.set $M (f64x2.splat (f64.const -1)))
    (local.set $acc1 (v128.load offset=0 (local.get $st)))
    (local.set $acc2 (v128.load offset=16 (local.get $st)))
    (local.set $acc3 (v128.load offset=32 (local.get $st)))
    (local.set $end (i32.add (local.get $xa) (i32.shl (local.get $n2) (i32.const 3))))
    (local.set $pb (local.get $xb))
    (local.set $i (local.get $xa))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $X (v128.load (local.get $i)))
      (local.set $Y (v128.load (local.get $pb)))
      (local.set $D (f64x2.sub (local.get $X) (local.get $Y)))
      (local.set $AD (f64x2.abs (local.get $D)))
      (local.set $M (f64x2.pmax (local.get $M) (local.get $AD)))
      (local.set $H (f64x2.mul (f64x2.add (local.get $X) (local.get $Y)) (local.get $half)))
      ;; (x*y, x*x), (y*y, d*d), (|d|, h*h) of pair 0 (low lanes), then of pair 1 (high lanes)
      (local.set $P (f64x2.mul (local.get $X) (local.get $Y)))
      (local.set $Q (f64x2.mul (local.get $X) (local.get $X)))
      (local.set $acc1 (f64x2.add (local.get $acc1) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $P) (local.get $Q))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $P) (local.get $Q))))
      (local.set $P (f64x2.mul (local.get $Y) (local.get $Y)))
      (local.set $Q (f64x2.mul (local.get $D) (local.get $D)))
      (local.set $acc2 (f64x2.add (local.get $acc2) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $P) (local.get $Q))))
      (local.set $acc2 (f64x2.add (local.get $acc2) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $P) (local.get $Q))))
      (local.set $Q (f64x2.mul (local.get $H) (local.get $H)))
      (local.set $acc3 (f64x2.add (local.get $acc3) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $AD) (local.get $Q))))
      (local.set $acc3 (f64x2.add (local.get $acc3) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $AD) (local.get $Q))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
      (br $l)))
    (local.set $saa (f64x2.extract_lane 1 (local.get $acc1)))
    (local.set $sbb (f64x2.extract_lane 0 (local.get $acc2)))
    (if (i32.eqz (i32.and (f64.eq (f64.sub (local.get $saa) (local.get $saa)) (f64.const 0))
                          (f64.eq (f64.sub (local.get $sbb) (local.get $sbb)) (f64.const 0))))
      (then (return (i32.const 0))))
    (v128.store offset=0 (local.get $st) (local.get $acc1))
    (v128.store offset=16 (local.get $st) (local.get $acc2))
    (v128.store offset=32 (local.get $st) (local.get $acc3))
    (f64.store offset=64 (local.get $st) (f64.add (f64.load offset=64 (local.get $st)) (f64.convert_i32_u (local.get $n2))))
    (local.set $mx (f64.load offset=48 (local.get $st)))
    (if (f64.gt (f64.max (f64x2.extract_lane 0 (local.get $M)) (f64x2.extract_lane 1 (local.get $M))) (local.get $mx))
      (then
        ;; first index of each new running maximum, in order (as $sums does)
        (local.set $mi (f64.load offset=56 (local.get $st)))
        (local.set $i (i32.const 0))
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $i) (local.get $n2)))
          (local.set $ad (f64.abs (f64.sub (f64.load (i32.add (local.get $xa) (i32.shl (local.get $i) (i32.const 3))))
                                           (f64.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 3)))))))
          (if (f64.gt (local.get $ad) (local.get $mx))
            (then
              (local.set $mx (local.get $ad))
              (local.set $mi (f64.add (local.get $idx0) (f64.convert_i32_u (local.get $i))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))
        (f64.store offset=48 (local.get $st) (local.get $mx))
        (f64.store offset=56 (local.get $st) (local.get $mi))))
    (i32.const 1))

  ;; In place x = (q - z) * s over n values at x (the same two operations per value as the JS
  ;; kernels, so bit-identical); two per step, an odd last value alone.
  (func $dequant (param $x i32) (param $n i32) (param $s f64) (param $z f64)
    (local $end i32) (local $vs v128) (local $vz v128)
    (local.set $vs (f64x2.splat (local.get $s)))
    (local.set $vz (f64x2.splat (local.get $z)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (v128.store (local.get $x) (f64x2.mul (f64x2.sub (v128.load (local.get $x)) (local.get $vz)) (local.get $vs)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (f64.store (local.get $x) (f64.mul (f64.sub (f64.load (local.get $x)) (local.get $z)) (local.get $s))))))

  ;; NaN / +Inf / -Inf counts of the dequantized values into st[9..11] (a) and st[12..14] (b).
  (func $nonFinite (param $xa i32) (param $xb i32) (param $n i32) (param $st i32)
    (local $i i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (call $classify (f64.load (i32.add (local.get $xa) (i32.shl (local.get $i) (i32.const 3))))
        (i32.add (local.get $st) (i32.const 72)))
      (call $classify (f64.load (i32.add (local.get $xb) (i32.shl (local.get $i) (i32.const 3))))
        (i32.add (local.get $st) (i32.const 96)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; cnt[0]++ for NaN, cnt[1]++ for +Inf, cnt[2]++ for -Inf (float64 counters)
  (func $classify (param $v f64) (param $cnt i32)
    (if (f64.ne (local.get $v) (local.get $v))
      (then (f64.store (local.get $cnt) (f64.add (f64.load (local.get $cnt)) (f64.const 1))) (return)))
    (if (f64.eq (local.get $v) (f64.const inf))
      (then (f64.store offset=8 (local.get $cnt) (f64.add (f64.load offset=8 (local.get $cnt)) (f64.const 1))) (return)))
    (if (f64.eq (local.get $v) (f64.const -inf))
      (then (f64.store offset=16 (local.get $cnt) (f64.add (f64.load offset=16 (local.get $cnt)) (f64.const 1))))))

  ;; One chunk: decode, saturation, dead channels, exact compare, sums and non-finite counts,
  ;; block by block. See the file header for the descriptor at `job`.
  (func (export "run") (param $job i32)
    (local $dtA i32) (local $dtB i32) (local $flags i32) (local $C i32) (local $rowLen i32) (local $rows i32)
    (local $left i32) (local $ra i32) (local $rb i32) (local $xa i32) (local $xb i32) (local $st i32)
    (local $n i32) (local $offI i32) (local $s i32) (local $len i32) (local $bA i32) (local $bB i32)
    (local $sA f64) (local $zA f64) (local $sB f64) (local $zB f64) (local $off f64)
    (local $idx f64) (local $n2 i32) (local $skipped i32)
    (local.set $sA (f64.load offset=0 (local.get $job)))
    (local.set $zA (f64.load offset=8 (local.get $job)))
    (local.set $sB (f64.load offset=16 (local.get $job)))
    (local.set $zB (f64.load offset=24 (local.get $job)))
    (local.set $off (f64.load offset=64 (local.get $job)))
    (local.set $dtA (i32.load offset=128 (local.get $job)))
    (local.set $dtB (i32.load offset=132 (local.get $job)))
    (local.set $flags (i32.load offset=136 (local.get $job)))
    (local.set $C (i32.load offset=140 (local.get $job)))
    (local.set $rowLen (i32.load offset=144 (local.get $job)))
    (local.set $rows (i32.load offset=148 (local.get $job)))
    (local.set $left (i32.load offset=152 (local.get $job)))
    (local.set $ra (i32.load offset=156 (local.get $job)))
    (local.set $rb (i32.load offset=160 (local.get $job)))
    (local.set $xa (i32.load offset=164 (local.get $job)))
    (local.set $xb (i32.load offset=168 (local.get $job)))
    (local.set $st (i32.load offset=172 (local.get $job)))
    (local.set $n (i32.load offset=200 (local.get $job)))
    (local.set $offI (i32.load offset=204 (local.get $job)))
    (local.set $bA (call $bytes (local.get $dtA)))
    (local.set $bB (call $bytes (local.get $dtB)))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $s) (local.get $n)))
      (local.set $len (select (global.get $BLOCK) (i32.sub (local.get $n) (local.get $s))
        (i32.lt_u (global.get $BLOCK) (i32.sub (local.get $n) (local.get $s)))))
      (call $decode (local.get $dtA) (i32.add (local.get $ra) (i32.mul (local.get $s) (local.get $bA))) (local.get $xa) (local.get $len))
      (call $decode (local.get $dtB) (i32.add (local.get $rb) (i32.mul (local.get $s) (local.get $bB))) (local.get $xb) (local.get $len))
      (if (i32.and (local.get $flags) (i32.const 4))
        (then (call $saturation (local.get $xa) (local.get $len) (f64.load offset=32 (local.get $job)) (f64.load offset=40 (local.get $job))
          (i32.add (local.get $st) (i32.const 120)))))
      (if (i32.and (local.get $flags) (i32.const 8))
        (then (call $saturation (local.get $xb) (local.get $len) (f64.load offset=48 (local.get $job)) (f64.load offset=56 (local.get $job))
          (i32.add (local.get $st) (i32.const 136)))))
      (if (i32.gt_u (local.get $left) (i32.const 0))
        (then (local.set $left (call $track (local.get $xa) (local.get $xb) (local.get $len)
          (i32.add (local.get $offI) (local.get $s)) (local.get $C)
          (i32.load offset=176 (local.get $job)) (i32.load offset=180 (local.get $job))
          (i32.load offset=184 (local.get $job)) (i32.load offset=188 (local.get $job)) (local.get $left)))))
      (if (i32.and (local.get $flags) (i32.const 1))
        (then (call $compare (local.get $xa) (local.get $xb) (local.get $len) (i32.add (local.get $offI) (local.get $s))
          (local.get $st) (local.get $C) (i32.load offset=192 (local.get $job)) (i32.load offset=196 (local.get $job))
          (select (local.get $rowLen) (i32.const 0) (i32.and (local.get $flags) (i32.const 2))) (local.get $rows))))
      ;; dequantize in place (raw values are no longer needed), unless the side is plain
      (if (i32.and (local.get $flags) (i32.const 16))
        (then (call $dequant (local.get $xa) (local.get $len) (local.get $sA) (local.get $zA))))
      (if (i32.and (local.get $flags) (i32.const 32))
        (then (call $dequant (local.get $xb) (local.get $len) (local.get $sB) (local.get $zB))))
      ;; sums: the lane kernel on the even part when it is all finite (then the odd last pair
      ;; scalar), else the whole block scalar
      (local.set $idx (f64.add (local.get $off) (f64.convert_i32_u (local.get $s))))
      (local.set $n2 (i32.and (local.get $len) (i32.const -2)))
      (local.set $skipped
        (if (result i32) (call $sumsFast (local.get $xa) (local.get $xb) (local.get $n2) (local.get $idx) (local.get $st))
          (then (call $sums (i32.add (local.get $xa) (i32.shl (local.get $n2) (i32.const 3)))
              (i32.add (local.get $xb) (i32.shl (local.get $n2) (i32.const 3)))
              (i32.sub (local.get $len) (local.get $n2))
              (f64.add (local.get $idx) (f64.convert_i32_u (local.get $n2))) (local.get $st)))
          (else (call $sums (local.get $xa) (local.get $xb) (local.get $len) (local.get $idx) (local.get $st)))))
      (if (local.get $skipped)
        (then (call $nonFinite (local.get $xa) (local.get $xb) (local.get $len) (local.get $st))))
      (local.set $s (i32.add (local.get $s) (local.get $len)))
      (br $blocks)))
    (i32.store offset=152 (local.get $job) (local.get $left)))
)
