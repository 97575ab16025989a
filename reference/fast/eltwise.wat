;; Element-wise kernels of the fast path (hand-written WebAssembly): table lookups on uint8 codes
;; and the quantization of a float32 graph input. Every address is a byte offset into the one
;; shared linear memory (reference/fast/engine.ts); callers split [i0, i1) ranges over threads.
;; The tables are built by the TypeScript side from the plain-TS (oracle) kernels themselves, so a
;; lookup is bit-identical to the oracle by construction (reference/fast/eltwise.ts).
(module
  (memory (import "env" "memory") 1 32768 shared)

  ;; dst[i] = table[src[i]] for i in [i0, i1) (uint8 codes, 256-byte table; dst may equal src).
  (func (export "lut_u8") (param $src i32) (param $dst i32) (param $table i32) (param $i0 i32) (param $i1 i32)
    (local $i i32) (local $end4 i32)
    (local.set $i (local.get $i0))
    (local.set $end4 (i32.sub (local.get $i1) (i32.const 3)))
    (block $done4
      (loop $loop4
        (br_if $done4 (i32.ge_s (local.get $i) (local.get $end4)))
        (i32.store8 (i32.add (local.get $dst) (local.get $i))
          (i32.load8_u (i32.add (local.get $table) (i32.load8_u (i32.add (local.get $src) (local.get $i))))))
        (i32.store8 offset=1 (i32.add (local.get $dst) (local.get $i))
          (i32.load8_u (i32.add (local.get $table) (i32.load8_u offset=1 (i32.add (local.get $src) (local.get $i))))))
        (i32.store8 offset=2 (i32.add (local.get $dst) (local.get $i))
          (i32.load8_u (i32.add (local.get $table) (i32.load8_u offset=2 (i32.add (local.get $src) (local.get $i))))))
        (i32.store8 offset=3 (i32.add (local.get $dst) (local.get $i))
          (i32.load8_u (i32.add (local.get $table) (i32.load8_u offset=3 (i32.add (local.get $src) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $loop4)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_s (local.get $i) (local.get $i1)))
        (i32.store8 (i32.add (local.get $dst) (local.get $i))
          (i32.load8_u (i32.add (local.get $table) (i32.load8_u (i32.add (local.get $src) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop))))

  ;; dst[i] = table[(a[i] << 8) | b[i]] for i in [i0, i1) (uint8 codes, 65536-byte table); 4 per step.
  (func (export "pair_lut_u8") (param $a i32) (param $b i32) (param $dst i32) (param $table i32) (param $i0 i32) (param $i1 i32)
    (local $i i32) (local $end4 i32) (local $pa i32) (local $pb i32)
    (local.set $i (local.get $i0))
    (local.set $end4 (i32.sub (local.get $i1) (i32.const 3)))
    (block $done4
      (loop $loop4
        (br_if $done4 (i32.ge_s (local.get $i) (local.get $end4)))
        (local.set $pa (i32.add (local.get $a) (local.get $i)))
        (local.set $pb (i32.add (local.get $b) (local.get $i)))
        (i32.store8 (i32.add (local.get $dst) (local.get $i))
          (i32.load8_u (i32.add (local.get $table) (i32.or (i32.shl (i32.load8_u (local.get $pa)) (i32.const 8)) (i32.load8_u (local.get $pb))))))
        (i32.store8 offset=1 (i32.add (local.get $dst) (local.get $i))
          (i32.load8_u (i32.add (local.get $table) (i32.or (i32.shl (i32.load8_u offset=1 (local.get $pa)) (i32.const 8)) (i32.load8_u offset=1 (local.get $pb))))))
        (i32.store8 offset=2 (i32.add (local.get $dst) (local.get $i))
          (i32.load8_u (i32.add (local.get $table) (i32.or (i32.shl (i32.load8_u offset=2 (local.get $pa)) (i32.const 8)) (i32.load8_u offset=2 (local.get $pb))))))
        (i32.store8 offset=3 (i32.add (local.get $dst) (local.get $i))
          (i32.load8_u (i32.add (local.get $table) (i32.or (i32.shl (i32.load8_u offset=3 (local.get $pa)) (i32.const 8)) (i32.load8_u offset=3 (local.get $pb))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $loop4)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_s (local.get $i) (local.get $i1)))
        (i32.store8 (i32.add (local.get $dst) (local.get $i))
          (i32.load8_u (i32.add (local.get $table)
            (i32.or (i32.shl (i32.load8_u (i32.add (local.get $a) (local.get $i))) (i32.const 8))
              (i32.load8_u (i32.add (local.get $b) (local.get $i)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop))))

  ;; 4 float32 lanes x -> clamp(nearest_even(fround(x / s)) + zp, 0, qmax) as int32, NaN -> 0:
  ;; x / s in float64 then rounded to float32 (= Math.fround(x / s) of reference/quant/quantize-tensor.ts),
  ;; f32x4.nearest rounds half to even; pmax(v, 0) = v < 0 ? 0 : v and pmin(v, qmax) = qmax < v ? qmax : v
;; keep NaN, which trunc_sat turns into 0 (one instruction each; f32x4.min/max, IEEE with NaN
;; propagation, compile to ~8 on x64), and equal min/max otherwise (−0 truncates to 0 as well).
  ;; $s32 != 0 (the caller checked that s is a float32 value): one f32x4.div instead, the same result:
  ;; a float64 quotient of float32 operands rounded to float32 is the correctly rounded float32
  ;; quotient (double rounding is innocuous for +, −, ×, ÷ when 53 ≥ 2·24 + 2; S. A. Figueroa,
  ;; "When is double rounding innocuous?", SIGNUM Newsletter 30(3), 1995).
  (func $q4 (param $x v128) (param $s v128) (param $zp v128) (param $qmax v128) (param $s32 v128) (result v128)
    (local $lo v128) (local $hi v128) (local $v v128)
    (if (v128.any_true (local.get $s32))
      (then (local.set $v (f32x4.div (local.get $x) (local.get $s32))))
      (else
        (local.set $lo (f32x4.demote_f64x2_zero (f64x2.div (f64x2.promote_low_f32x4 (local.get $x)) (local.get $s))))
        (local.set $hi (f32x4.demote_f64x2_zero (f64x2.div (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))) (local.get $s))))
        (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)))))
    (i32x4.trunc_sat_f32x4_s (f32x4.pmin (f32x4.pmax (f32x4.add (f32x4.nearest (local.get $v)) (local.get $zp))
      (f32x4.splat (f32.const 0))) (local.get $qmax))))

  ;; Quantizes float32 src[i] for i in [i0, i1) to dst (uint8 when $bytes = 1, uint16 when 2) with the
  ;; float64 scale stored at $scaleAt, zero point $zp and top code $qmax.
  ;; $f32 != 0: the scale is a float32 value (see $q4).
  (func (export "quant_f32") (param $src i32) (param $dst i32) (param $scaleAt i32) (param $zp i32) (param $qmax i32) (param $bytes i32) (param $f32 i32) (param $i0 i32) (param $i1 i32)
    (local $i i32) (local $s v128) (local $zv v128) (local $qv v128) (local $a v128) (local $b v128) (local $r i32) (local $v f32) (local $s32 v128)
    (local.set $s (f64x2.splat (f64.load (local.get $scaleAt))))
    (if (local.get $f32) (then (local.set $s32 (f32x4.splat (f32.demote_f64 (f64.load (local.get $scaleAt)))))))
    (local.set $zv (f32x4.splat (f32.convert_i32_s (local.get $zp))))
    (local.set $qv (f32x4.splat (f32.convert_i32_s (local.get $qmax))))
    (local.set $i (local.get $i0))
    ;; float32 scale, uint8 codes: $q4 written out (V8 does not inline calls), 8 values per step
    (if (i32.and (local.get $f32) (i32.eq (local.get $bytes) (i32.const 1)))
      (then
        (block $fdone
          (loop $floop
            (br_if $fdone (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $i1)))
            (local.set $a (i32x4.trunc_sat_f32x4_s (f32x4.pmin (f32x4.pmax (f32x4.add (f32x4.nearest
              (f32x4.div (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))) (local.get $s32))) (local.get $zv))
              (f32x4.splat (f32.const 0))) (local.get $qv))))
            (local.set $b (i32x4.trunc_sat_f32x4_s (f32x4.pmin (f32x4.pmax (f32x4.add (f32x4.nearest
              (f32x4.div (v128.load offset=16 (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))) (local.get $s32))) (local.get $zv))
              (f32x4.splat (f32.const 0))) (local.get $qv))))
            (local.set $a (i16x8.narrow_i32x4_u (local.get $a) (local.get $b)))
            (v128.store64_lane 0 (i32.add (local.get $dst) (local.get $i)) (i8x16.narrow_i16x8_u (local.get $a) (local.get $a)))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $floop)))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $i1)))
        (local.set $a (call $q4 (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))) (local.get $s) (local.get $zv) (local.get $qv) (local.get $s32)))
        (local.set $b (call $q4 (v128.load offset=16 (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))) (local.get $s) (local.get $zv) (local.get $qv) (local.get $s32)))
        (local.set $a (i16x8.narrow_i32x4_u (local.get $a) (local.get $b)))
        (if (i32.eq (local.get $bytes) (i32.const 1))
          (then (v128.store64_lane 0 (i32.add (local.get $dst) (local.get $i)) (i8x16.narrow_i16x8_u (local.get $a) (local.get $a))))
          (else (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1))) (local.get $a))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $vloop)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_s (local.get $i) (local.get $i1)))
        (local.set $r (i32x4.extract_lane 0 (call $q4 (v128.load32_zero (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))
          (local.get $s) (local.get $zv) (local.get $qv) (local.get $s32))))
        (if (i32.eq (local.get $bytes) (i32.const 1))
          (then (i32.store8 (i32.add (local.get $dst) (local.get $i)) (local.get $r)))
          (else (i32.store16 (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1))) (local.get $r))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop))))
  ;; Max pooling, stride 1, of uint8 planes [p0, p1) (NCHW, h x w each) into dst (oh x ow each),
  ;; separably with i8x16.max_u: each plane is copied into a zeroed padded scratch plane ($scr:
  ;; hp rows of $wpp bytes, image at (pt, pl)), row maxima over kw taps (dilation dw) go to a second
  ;; scratch ($scr + hp*wpp: hp rows of $owp bytes), then the max of kh row maxima (dilation dh) is
  ;; stored; a partial last vector of a row goes through a 16-byte bounce buffer (so nothing past the
  ;; row is written). Codes are >= 0, so the zero padding never wins (see max-pool-fast.ts).
  (func (export "maxpool_u8")
    (param $src i32) (param $dst i32) (param $h i32) (param $w i32) (param $kh i32) (param $kw i32)
    (param $dh i32) (param $dw i32) (param $pt i32) (param $pl i32) (param $oh i32) (param $ow i32)
    (param $hp i32) (param $wpp i32) (param $owp i32) (param $scr i32) (param $p0 i32) (param $p1 i32)
    (local $p i32) (local $y i32) (local $x i32) (local $k i32) (local $rows i32) (local $bounce i32)
    (local $a i32) (local $o i32) (local $m v128)
    (local.set $rows (i32.add (local.get $scr) (i32.mul (local.get $hp) (local.get $wpp))))
    (local.set $bounce (i32.add (local.get $rows) (i32.mul (local.get $hp) (local.get $owp))))
    (local.set $p (local.get $p0))
    (block $pdone
      (loop $ploop
        (br_if $pdone (i32.ge_s (local.get $p) (local.get $p1)))
        (memory.fill (local.get $scr) (i32.const 0) (i32.mul (local.get $hp) (local.get $wpp)))
        (local.set $y (i32.const 0))
        (block $cdone
          (loop $cloop
            (br_if $cdone (i32.ge_s (local.get $y) (local.get $h)))
            (memory.copy
              (i32.add (local.get $scr) (i32.add (i32.mul (i32.add (local.get $y) (local.get $pt)) (local.get $wpp)) (local.get $pl)))
              (i32.add (local.get $src) (i32.mul (i32.add (i32.mul (local.get $p) (local.get $h)) (local.get $y)) (local.get $w)))
              (local.get $w))
            (local.set $y (i32.add (local.get $y) (i32.const 1)))
            (br $cloop)))
        ;; row maxima: rows[y][x..x+16) = max_k pad[y][x + k*dw ..]
        (local.set $y (i32.const 0))
        (block $rdone
          (loop $rloop
            (br_if $rdone (i32.ge_s (local.get $y) (local.get $hp)))
            (local.set $x (i32.const 0))
            (block $xdone
              (loop $xloop
                (br_if $xdone (i32.ge_s (local.get $x) (local.get $ow)))
                (local.set $a (i32.add (local.get $scr) (i32.add (i32.mul (local.get $y) (local.get $wpp)) (local.get $x))))
                (local.set $m (v128.load (local.get $a)))
                (local.set $k (i32.const 1))
                (block $kdone
                  (loop $kloop
                    (br_if $kdone (i32.ge_s (local.get $k) (local.get $kw)))
                    (local.set $a (i32.add (local.get $a) (local.get $dw)))
                    (local.set $m (i8x16.max_u (local.get $m) (v128.load (local.get $a))))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $kloop)))
                (v128.store (i32.add (local.get $rows) (i32.add (i32.mul (local.get $y) (local.get $owp)) (local.get $x))) (local.get $m))
                (local.set $x (i32.add (local.get $x) (i32.const 16)))
                (br $xloop)))
            (local.set $y (i32.add (local.get $y) (i32.const 1)))
            (br $rloop)))
        ;; column maxima into the output plane
        (local.set $y (i32.const 0))
        (block $odone
          (loop $oloop
            (br_if $odone (i32.ge_s (local.get $y) (local.get $oh)))
            (local.set $o (i32.add (local.get $dst) (i32.mul (i32.add (i32.mul (local.get $p) (local.get $oh)) (local.get $y)) (local.get $ow))))
            (local.set $x (i32.const 0))
            (block $x2done
              (loop $x2loop
                (br_if $x2done (i32.ge_s (local.get $x) (local.get $ow)))
                (local.set $a (i32.add (local.get $rows) (i32.add (i32.mul (local.get $y) (local.get $owp)) (local.get $x))))
                (local.set $m (v128.load (local.get $a)))
                (local.set $k (i32.const 1))
                (block $k2done
                  (loop $k2loop
                    (br_if $k2done (i32.ge_s (local.get $k) (local.get $kh)))
                    (local.set $a (i32.add (local.get $a) (i32.mul (local.get $dh) (local.get $owp))))
                    (local.set $m (i8x16.max_u (local.get $m) (v128.load (local.get $a))))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $k2loop)))
                (if (i32.le_s (i32.add (local.get $x) (i32.const 16)) (local.get $ow))
                  (then (v128.store (i32.add (local.get $o) (local.get $x)) (local.get $m)))
                  (else
                    (v128.store (local.get $bounce) (local.get $m))
                    (memory.copy (i32.add (local.get $o) (local.get $x)) (local.get $bounce) (i32.sub (local.get $ow) (local.get $x)))))
                (local.set $x (i32.add (local.get $x) (i32.const 16)))
                (br $x2loop)))
            (local.set $y (i32.add (local.get $y) (i32.const 1)))
            (br $oloop)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $ploop))))
)
