;; Integer convolution / matrix-product core, WebAssembly SIMD (hand-written); input packing in pack.wat.
;;
;; Layouts are prepared by reference/fast/pack.ts; every address below is a byte offset into the
;; one (shared) linear memory. All arithmetic is int32 with wrap-around (the JS side guarantees
;; the exact sum fits int32, so modular arithmetic gives the exact result; see conv-int.ts).
;;
;; conv_pairs: the general kernel. Input of one group packed as int16 [HP][WP][Cgp] (zero point
;; subtracted, spatial padding = 0, Cgp = channels rounded up to even). Weights packed per block
;; of 8 output channels as [tap][channel pair][2 x v128], each v128 holding, for 4 output channels
;; o, the pair (w[o][c], w[o][c+1]) as int16. i32x4.dot_i16x8_s of a splatted activation pair
;; (x[c], x[c+1]) with such a vector adds 8 multiply-accumulates into 4 output-channel lanes.
;; A register tile is 4 output pixels x 8 output channels (8 v128 accumulators). The pixel table
;; gives each output pixel's byte offset to its top-left tap; the tap table each kernel tap's byte
;; offset (so any kernel size, stride and dilation is just a table). Accumulators are stored
;; NCHW: out + (oc * plane + pixel) * 4.
;;
;; conv_dw: depthwise (one input and one output channel per group): 8 output pixels of a row per
;; v128 pair, i32x4.extmul_{low,high}_i16x8_s with the splatted tap weight (layout at the function).
;;
;; The requantization of the accumulators is in requant.wat.
(module
  (memory (export "memory") (import "env" "memory") 1 32768 shared)

  ;; Tables and buffers: x, w, bias, out, pix, tap are byte addresses.
  ;; Computes output-channel blocks [ob0, ob1) for pixels [p0, p1) of one group.
  (func (export "conv_pairs")
    (param $x i32) (param $w i32) (param $bias i32) (param $out i32)
    (param $pix i32) (param $tap i32) (param $ntaps i32) (param $ncp i32) (param $plane i32)
    (param $ob0 i32) (param $ob1 i32) (param $p0 i32) (param $p1 i32)
    (local $ob i32) (local $p i32) (local $i1 i32) (local $i2 i32) (local $i3 i32) (local $last i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $wb i32) (local $wp i32) (local $t i32) (local $to i32) (local $n i32)
    (local $o i32) (local $pl4 i32) (local $sa i32) (local $tq v128)
    (local $b0 v128) (local $b1 v128) (local $w0 v128) (local $w1 v128) (local $v v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (if (i32.ge_s (local.get $p0) (local.get $p1)) (then (return)))
    (local.set $last (i32.sub (local.get $p1) (i32.const 1)))
    (local.set $pl4 (i32.shl (local.get $plane) (i32.const 2)))
    (local.set $ob (local.get $ob0))
    (block $obdone
      (loop $obloop
        (br_if $obdone (i32.ge_s (local.get $ob) (local.get $ob1)))
        ;; weights of this block: ntaps * ncp * 32 bytes
        (local.set $wb (i32.add (local.get $w)
          (i32.mul (local.get $ob) (i32.shl (i32.mul (local.get $ntaps) (local.get $ncp)) (i32.const 5)))))
        (local.set $b0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $ob) (i32.const 5)))))
        (local.set $b1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $ob) (i32.const 5)))))
        ;; first output row of this block
        (local.set $o (i32.add (local.get $out) (i32.mul (i32.shl (local.get $ob) (i32.const 3)) (local.get $pl4))))
        (local.set $p (local.get $p0))
        (block $pdone
          (loop $ploop
            (br_if $pdone (i32.ge_s (local.get $p) (local.get $p1)))
            ;; 4 pixels p, i1, i2, i3 (clamped to the last pixel: duplicates store equal values)
            (local.set $i1 (select (i32.add (local.get $p) (i32.const 1)) (local.get $last)
              (i32.lt_s (i32.add (local.get $p) (i32.const 1)) (local.get $last))))
            (local.set $i2 (select (i32.add (local.get $p) (i32.const 2)) (local.get $last)
              (i32.lt_s (i32.add (local.get $p) (i32.const 2)) (local.get $last))))
            (local.set $i3 (select (i32.add (local.get $p) (i32.const 3)) (local.get $last)
              (i32.lt_s (i32.add (local.get $p) (i32.const 3)) (local.get $last))))
            (local.set $a0 (i32.add (local.get $x) (i32.load (i32.add (local.get $pix) (i32.shl (local.get $p) (i32.const 2))))))
            (local.set $a1 (i32.add (local.get $x) (i32.load (i32.add (local.get $pix) (i32.shl (local.get $i1) (i32.const 2))))))
            (local.set $a2 (i32.add (local.get $x) (i32.load (i32.add (local.get $pix) (i32.shl (local.get $i2) (i32.const 2))))))
            (local.set $a3 (i32.add (local.get $x) (i32.load (i32.add (local.get $pix) (i32.shl (local.get $i3) (i32.const 2))))))
            (local.set $s00 (local.get $b0)) (local.set $s01 (local.get $b1))
            (local.set $s10 (local.get $b0)) (local.set $s11 (local.get $b1))
            (local.set $s20 (local.get $b0)) (local.set $s21 (local.get $b1))
            (local.set $s30 (local.get $b0)) (local.set $s31 (local.get $b1))
            (local.set $wp (local.get $wb))
            (local.set $t (i32.const 0))
            (block $tdone
              (loop $tloop
                (br_if $tdone (i32.ge_s (local.get $t) (local.get $ntaps)))
                (local.set $to (i32.load (i32.add (local.get $tap) (i32.shl (local.get $t) (i32.const 2)))))
                (local.set $c0 (i32.add (local.get $a0) (local.get $to)))
                (local.set $c1 (i32.add (local.get $a1) (local.get $to)))
                (local.set $c2 (i32.add (local.get $a2) (local.get $to)))
                (local.set $c3 (i32.add (local.get $a3) (local.get $to)))
                (local.set $n (local.get $ncp))
                (loop $cloop
                  (local.set $w0 (v128.load (local.get $wp)))
                  (local.set $w1 (v128.load offset=16 (local.get $wp)))
                  (local.set $v (v128.load32_splat (local.get $c0)))
                  (local.set $s00 (i32x4.add (local.get $s00) (i32x4.dot_i16x8_s (local.get $v) (local.get $w0))))
                  (local.set $s01 (i32x4.add (local.get $s01) (i32x4.dot_i16x8_s (local.get $v) (local.get $w1))))
                  (local.set $v (v128.load32_splat (local.get $c1)))
                  (local.set $s10 (i32x4.add (local.get $s10) (i32x4.dot_i16x8_s (local.get $v) (local.get $w0))))
                  (local.set $s11 (i32x4.add (local.get $s11) (i32x4.dot_i16x8_s (local.get $v) (local.get $w1))))
                  (local.set $v (v128.load32_splat (local.get $c2)))
                  (local.set $s20 (i32x4.add (local.get $s20) (i32x4.dot_i16x8_s (local.get $v) (local.get $w0))))
                  (local.set $s21 (i32x4.add (local.get $s21) (i32x4.dot_i16x8_s (local.get $v) (local.get $w1))))
                  (local.set $v (v128.load32_splat (local.get $c3)))
                  (local.set $s30 (i32x4.add (local.get $s30) (i32x4.dot_i16x8_s (local.get $v) (local.get $w0))))
                  (local.set $s31 (i32x4.add (local.get $s31) (i32x4.dot_i16x8_s (local.get $v) (local.get $w1))))
                  (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
                  (local.set $c0 (i32.add (local.get $c0) (i32.const 4)))
                  (local.set $c1 (i32.add (local.get $c1) (i32.const 4)))
                  (local.set $c2 (i32.add (local.get $c2) (i32.const 4)))
                  (local.set $c3 (i32.add (local.get $c3) (i32.const 4)))
                  (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                  (br_if $cloop (i32.gt_s (local.get $n) (i32.const 0))))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $tloop)))
            ;; a full tile of 4 distinct consecutive pixels: 4x4 transposes, one v128 store per channel;
            ;; otherwise scatter lane by lane (lanes of s_k0 -> channels 0..3 of pixel k, s_k1 -> 4..7)
            (if (i32.lt_s (i32.add (local.get $p) (i32.const 3)) (local.get $p1))
              (then
                ;; 4x4 transpose (inlined $store4x4: V8 does not inline calls)
                (local.set $sa (i32.add (local.get $o) (i32.shl (local.get $p) (i32.const 2))))
                (local.set $w0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s00) (local.get $s10)))
                (local.set $w1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s00) (local.get $s10)))
                (local.set $tq (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s20) (local.get $s30)))
                (local.set $v (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s20) (local.get $s30)))
                (v128.store (local.get $sa) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $w0) (local.get $tq)))
                (local.set $sa (i32.add (local.get $sa) (local.get $pl4)))
                (v128.store (local.get $sa) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $w0) (local.get $tq)))
                (local.set $sa (i32.add (local.get $sa) (local.get $pl4)))
                (v128.store (local.get $sa) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $w1) (local.get $v)))
                (local.set $sa (i32.add (local.get $sa) (local.get $pl4)))
                (v128.store (local.get $sa) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $w1) (local.get $v)))
                ;; 4x4 transpose (inlined $store4x4: V8 does not inline calls)
                (local.set $sa (i32.add (i32.add (local.get $o) (i32.shl (local.get $p) (i32.const 2))) (i32.shl (local.get $pl4) (i32.const 2))))
                (local.set $w0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s01) (local.get $s11)))
                (local.set $w1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s01) (local.get $s11)))
                (local.set $tq (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s21) (local.get $s31)))
                (local.set $v (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s21) (local.get $s31)))
                (v128.store (local.get $sa) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $w0) (local.get $tq)))
                (local.set $sa (i32.add (local.get $sa) (local.get $pl4)))
                (v128.store (local.get $sa) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $w0) (local.get $tq)))
                (local.set $sa (i32.add (local.get $sa) (local.get $pl4)))
                (v128.store (local.get $sa) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $w1) (local.get $v)))
                (local.set $sa (i32.add (local.get $sa) (local.get $pl4)))
                (v128.store (local.get $sa) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $w1) (local.get $v))))
              (else
                (call $store8 (i32.add (local.get $o) (i32.shl (local.get $p) (i32.const 2))) (local.get $pl4) (local.get $s00) (local.get $s01))
                (call $store8 (i32.add (local.get $o) (i32.shl (local.get $i1) (i32.const 2))) (local.get $pl4) (local.get $s10) (local.get $s11))
                (call $store8 (i32.add (local.get $o) (i32.shl (local.get $i2) (i32.const 2))) (local.get $pl4) (local.get $s20) (local.get $s21))
                (call $store8 (i32.add (local.get $o) (i32.shl (local.get $i3) (i32.const 2))) (local.get $pl4) (local.get $s30) (local.get $s31))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $ploop)))
        (local.set $ob (i32.add (local.get $ob) (i32.const 1)))
        (br $obloop))))

  ;; a, b, c, d: 4 pixels x 4 channels (lane = channel); stores channel j's 4 pixels at addr + j*stride.
  (func $store4x4 (param $addr i32) (param $stride i32) (param $a v128) (param $b v128) (param $c v128) (param $d v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d)))
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d)))
    (v128.store (local.get $addr) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
    (local.set $addr (i32.add (local.get $addr) (local.get $stride)))
    (v128.store (local.get $addr) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
    (local.set $addr (i32.add (local.get $addr) (local.get $stride)))
    (v128.store (local.get $addr) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
    (local.set $addr (i32.add (local.get $addr) (local.get $stride)))
    (v128.store (local.get $addr) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3))))

  ;; Stores the 8 lanes of (lo, hi) at a, a+stride, ..., a+7*stride.
  (func $store8 (param $a i32) (param $stride i32) (param $lo v128) (param $hi v128)
    (i32.store (local.get $a) (i32x4.extract_lane 0 (local.get $lo)))
    (local.set $a (i32.add (local.get $a) (local.get $stride)))
    (i32.store (local.get $a) (i32x4.extract_lane 1 (local.get $lo)))
    (local.set $a (i32.add (local.get $a) (local.get $stride)))
    (i32.store (local.get $a) (i32x4.extract_lane 2 (local.get $lo)))
    (local.set $a (i32.add (local.get $a) (local.get $stride)))
    (i32.store (local.get $a) (i32x4.extract_lane 3 (local.get $lo)))
    (local.set $a (i32.add (local.get $a) (local.get $stride)))
    (i32.store (local.get $a) (i32x4.extract_lane 0 (local.get $hi)))
    (local.set $a (i32.add (local.get $a) (local.get $stride)))
    (i32.store (local.get $a) (i32x4.extract_lane 1 (local.get $hi)))
    (local.set $a (i32.add (local.get $a) (local.get $stride)))
    (i32.store (local.get $a) (i32x4.extract_lane 2 (local.get $hi)))
    (local.set $a (i32.add (local.get $a) (local.get $stride)))
    (i32.store (local.get $a) (i32x4.extract_lane 3 (local.get $hi))))

;; Depthwise: channels [c0, c1), output rows [r0, r1). Pixels in lanes: each channel is packed
  ;; as int16 [sw phases][HP][WPs] (column X of the padded image at phase X mod sw, index X / sw,
  ;; so the 8 output pixels of a tile read 8 consecutive int16 at every tap, for any stride);
  ;; rowoff[oy] and tap[t] are byte offsets into a channel; $ntaps is even (an odd kernel gets a
  ;; zero-weight tap at offset 0), weights [C][ntaps] int16, read as (w[t], w[t+1]) pairs; output
  ;; [C][OH][OW] int32 (a partial last tile of a row stores only its valid lanes).
  (func (export "conv_dw")
    (param $x i32) (param $w i32) (param $bias i32) (param $out i32)
    (param $rowoff i32) (param $tap i32) (param $ntaps i32) (param $cstride i32)
    (param $tiles i32) (param $oh i32) (param $c0 i32) (param $c1 i32) (param $r0 i32) (param $r1 i32) (param $ow i32)
    (local $c i32) (local $oy i32) (local $k i32) (local $t i32)
    (local $xc i32) (local $wc i32) (local $oc i32) (local $xr i32) (local $xt i32) (local $or i32) (local $rowb i32) (local $ot i32) (local $rem i32)
    (local $bv v128) (local $s0 v128) (local $s1 v128) (local $xv v128) (local $xw v128) (local $wv v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32)
    (local $o5 i32) (local $o6 i32) (local $o7 i32) (local $o8 i32) (local $o9 i32)
    (local.set $rowb (i32.shl (local.get $ow) (i32.const 2)))
    (if (i32.eq (local.get $ntaps) (i32.const 10))
      (then
        (local.set $o0 (i32.load offset=0 (local.get $tap)))
        (local.set $o1 (i32.load offset=4 (local.get $tap)))
        (local.set $o2 (i32.load offset=8 (local.get $tap)))
        (local.set $o3 (i32.load offset=12 (local.get $tap)))
        (local.set $o4 (i32.load offset=16 (local.get $tap)))
        (local.set $o5 (i32.load offset=20 (local.get $tap)))
        (local.set $o6 (i32.load offset=24 (local.get $tap)))
        (local.set $o7 (i32.load offset=28 (local.get $tap)))
        (local.set $o8 (i32.load offset=32 (local.get $tap)))
        (local.set $o9 (i32.load offset=36 (local.get $tap)))
      ))
    (local.set $c (local.get $c0))
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.ge_s (local.get $c) (local.get $c1)))
        (local.set $xc (i32.add (local.get $x) (i32.mul (local.get $c) (local.get $cstride))))
        (local.set $wc (i32.add (local.get $w) (i32.shl (i32.mul (local.get $c) (local.get $ntaps)) (i32.const 1))))
        (local.set $bv (v128.load32_splat (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2)))))
        (if (i32.eq (local.get $ntaps) (i32.const 10))
          (then
            (local.set $w0 (v128.load32_splat (local.get $wc)))
            (local.set $w1 (v128.load32_splat offset=4 (local.get $wc)))
            (local.set $w2 (v128.load32_splat offset=8 (local.get $wc)))
            (local.set $w3 (v128.load32_splat offset=12 (local.get $wc)))
            (local.set $w4 (v128.load32_splat offset=16 (local.get $wc)))))
        (local.set $oc (i32.add (local.get $out) (i32.mul (i32.mul (local.get $c) (local.get $oh)) (local.get $rowb))))
        (local.set $oy (local.get $r0))
        (block $ydone
          (loop $yloop
            (br_if $ydone (i32.ge_s (local.get $oy) (local.get $r1)))
            (local.set $xr (i32.add (local.get $xc) (i32.load (i32.add (local.get $rowoff) (i32.shl (local.get $oy) (i32.const 2))))))
            (local.set $or (i32.add (local.get $oc) (i32.mul (local.get $oy) (local.get $rowb))))
            (local.set $k (i32.const 0))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_s (local.get $k) (local.get $tiles)))
                (local.set $xt (i32.add (local.get $xr) (i32.shl (local.get $k) (i32.const 4))))
                (local.set $s0 (local.get $bv))
                (local.set $s1 (local.get $bv))
                ;; 3x3 (10 taps with the zero tap): offsets and weight pairs held in locals, unrolled
                (if (i32.eq (local.get $ntaps) (i32.const 10))
                  (then
                    (local.set $xv (v128.load (i32.add (local.get $xt) (local.get $o0))))
                    (local.set $xw (v128.load (i32.add (local.get $xt) (local.get $o1))))
                    (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $xv) (local.get $xw)) (local.get $w0))))
                    (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $xv) (local.get $xw)) (local.get $w0))))
                    (local.set $xv (v128.load (i32.add (local.get $xt) (local.get $o2))))
                    (local.set $xw (v128.load (i32.add (local.get $xt) (local.get $o3))))
                    (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $xv) (local.get $xw)) (local.get $w1))))
                    (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $xv) (local.get $xw)) (local.get $w1))))
                    (local.set $xv (v128.load (i32.add (local.get $xt) (local.get $o4))))
                    (local.set $xw (v128.load (i32.add (local.get $xt) (local.get $o5))))
                    (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $xv) (local.get $xw)) (local.get $w2))))
                    (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $xv) (local.get $xw)) (local.get $w2))))
                    (local.set $xv (v128.load (i32.add (local.get $xt) (local.get $o6))))
                    (local.set $xw (v128.load (i32.add (local.get $xt) (local.get $o7))))
                    (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $xv) (local.get $xw)) (local.get $w3))))
                    (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $xv) (local.get $xw)) (local.get $w3))))
                    (local.set $xv (v128.load (i32.add (local.get $xt) (local.get $o8))))
                    (local.set $xw (v128.load (i32.add (local.get $xt) (local.get $o9))))
                    (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $xv) (local.get $xw)) (local.get $w4))))
                    (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $xv) (local.get $xw)) (local.get $w4))))
                  )
                  (else
                (local.set $t (i32.const 0))
                (block $tdone
                  (loop $tloop
                    (br_if $tdone (i32.ge_s (local.get $t) (local.get $ntaps)))
                    ;; taps t, t+1: interleave their 8 pixels and dot with (w[t], w[t+1]) pairs
                    (local.set $xv (v128.load (i32.add (local.get $xt)
                      (i32.load (i32.add (local.get $tap) (i32.shl (local.get $t) (i32.const 2)))))))
                    (local.set $xw (v128.load (i32.add (local.get $xt)
                      (i32.load offset=4 (i32.add (local.get $tap) (i32.shl (local.get $t) (i32.const 2)))))))
                    (local.set $wv (v128.load32_splat (i32.add (local.get $wc) (i32.shl (local.get $t) (i32.const 1)))))
                    (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $xv) (local.get $xw)) (local.get $wv))))
                    (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s
                      (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $xv) (local.get $xw)) (local.get $wv))))
                    (local.set $t (i32.add (local.get $t) (i32.const 2)))
                    (br $tloop)))))
                ;; rows are $ow int32 apart (compact): a partial last tile stores only its ow mod 8 lanes
                (local.set $ot (i32.add (local.get $or) (i32.shl (local.get $k) (i32.const 5))))
                (local.set $rem (i32.sub (local.get $ow) (i32.shl (local.get $k) (i32.const 3))))
                (if (i32.ge_s (local.get $rem) (i32.const 8))
                  (then
                    (v128.store (local.get $ot) (local.get $s0))
                    (v128.store offset=16 (local.get $ot) (local.get $s1)))
                  (else
                    (if (i32.ge_s (local.get $rem) (i32.const 4))
                      (then
                        (v128.store (local.get $ot) (local.get $s0))
                        (local.set $ot (i32.add (local.get $ot) (i32.const 16)))
                        (local.set $rem (i32.sub (local.get $rem) (i32.const 4)))
                        (local.set $s0 (local.get $s1))))
                    (if (i32.gt_s (local.get $rem) (i32.const 0)) (then (i32.store (local.get $ot) (i32x4.extract_lane 0 (local.get $s0)))))
                    (if (i32.gt_s (local.get $rem) (i32.const 1)) (then (i32.store offset=4 (local.get $ot) (i32x4.extract_lane 1 (local.get $s0)))))
                    (if (i32.gt_s (local.get $rem) (i32.const 2)) (then (i32.store offset=8 (local.get $ot) (i32x4.extract_lane 2 (local.get $s0)))))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $kloop)))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $yloop)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop))))
)
